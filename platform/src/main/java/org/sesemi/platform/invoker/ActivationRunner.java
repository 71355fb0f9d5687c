package org.sesemi.platform.invoker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.sesemi.platform.invoker.PoolScheduler.Placement;
import org.sesemi.platform.invoker.PoolScheduler.Slot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one placed activation in its container (OpenWhisk's {@code ContainerProxy}): starts the container for a cold
 * start, {@code /init} once per container (other activations of a starting container wait for it), {@code /run}, and
 * turns the replies, times and logs into the {@link ActivationOutcome}. Decides whether the container must go; the
 * {@link ContainerPool} releases the slot.
 *
 * <p>A {@code 503} from a container means "busy" (a SeMIRT runtime whose admission queue is full): the container is
 * kept and the activation is rescheduled after {@link ContainerPool#BUSY_RETRY_MS} until its time limit, then fails as
 * a developer error with the container's answer. With {@link InvokerConfig#stockOpenWhisk()} it is a health error, as
 * in OpenWhisk: the container goes and the activation moves to another one once ({@link #HEALTH_RESCHEDULES}); there
 * {@code /init} and {@code /run} each get the whole timeout.
 */
final class ActivationRunner {
    private static final Logger LOG = LoggerFactory.getLogger(ActivationRunner.class);
    static final String CONCURRENT_LOGS_NOTE =
            "Logs are not available for activations in containers with concurrency > 1: their output cannot be attributed.";
    /** OpenWhisk's last log line of an activation that ended in a developer error ({@code logWarningDeveloperError}). */
    static final String DEVELOPER_ERROR_NOTE = "The action did not initialize or run as expected. Log data might be missing.";
    /** How often a stock-OpenWhisk pool moves an activation to a new container after a {@code 503} before failing it. */
    static final int HEALTH_RESCHEDULES = 1;

    /** What the runner needs from its pool. */
    interface Pool {
        /** Starts a container for a cold start. */
        ProcessContainer start(String image, int memoryMb) throws ProcessContainer.StartException, InterruptedException;

        boolean closed();

        /** {@code /init} succeeded: the slot serves warm activations from now on. */
        void initialized(Slot slot);

        /** Resumes a paused container before a warm activation's {@code /run}. */
        void thaw(Slot slot);
    }

    /** The outcome (null: the container was busy, reschedule the activation) and whether the container must go. */
    record Executed(ActivationOutcome outcome, boolean remove) {}

    private final InvokerConfig config;
    private final ImageRegistry images;
    private final ActionProxy proxy;
    private final Clock clock;
    private final Pool pool;

    ActivationRunner(InvokerConfig config, ImageRegistry images, ActionProxy proxy, Clock clock, Pool pool) {
        this.config = config;
        this.images = images;
        this.proxy = proxy;
        this.clock = clock;
        this.pool = pool;
    }

    Executed execute(Placement p) throws InterruptedException {
        Invocation inv = p.job().invocation();
        Slot slot = p.slot();
        if (p.startProcess()) {
            try {
                slot.attach(pool.start(slot.image, slot.memoryMb));
                if (slot.concurrency > 1) {
                    slot.process.logs().discardFromNowOn();
                }
                if (pool.closed()) {
                    return new Executed(failure(inv, ActivationOutcome.INTERNAL_ERROR, "The invoker is shutting down.",
                            p.containerState()), true);
                }
            } catch (ProcessContainer.StartException e) {
                String message = "Failed to start a container for the action: " + e.getMessage();
                slot.initialized.complete(ActionProxy.error(message));
                return new Executed(failure(inv, ActivationOutcome.INTERNAL_ERROR, message, p.containerState()), true);
            }
        }
        return p.init() ? initAndRun(p) : runWarm(p);
    }

    private Executed initAndRun(Placement p) throws InterruptedException {
        Invocation inv = p.job().invocation();
        Slot slot = p.slot();
        int timeoutMs = inv.action().limits().timeoutMs();
        long start = clock.millis();
        long waitTime = Math.max(0, start - inv.receivedAtMillis());
        long deadline = start + timeoutMs;
        ProxyReply init = proxy.init(slot.process, inv, deadline, timeoutMs);
        long initEnd = clock.millis();
        OptionalLong initTime = OptionalLong.of(initEnd - start);
        if (!(init instanceof ProxyReply.Success)) {
            slot.initialized.complete(init.result());
            if (config.stockOpenWhisk() && init.busy() && healthReschedule(p)) {
                return new Executed(null, true);
            }
            List<String> logs = logsAfterFailure(slot, inv.action().limits());
            return new Executed(new ActivationOutcome(start, initEnd, ActivationOutcome.DEVELOPER_ERROR, init.result(), logs,
                    initTime, waitTime, init.timedOut(), p.containerState()), true);
        }
        pool.initialized(slot);
        slot.initialized.complete(null);
        if (config.stockOpenWhisk()) {
            deadline = clock.millis() + timeoutMs; // OpenWhisk: /run gets the whole timeout again
        }
        return run(p, start, waitTime, deadline, initTime);
    }

    private Executed runWarm(Placement p) throws InterruptedException {
        Invocation inv = p.job().invocation();
        Slot slot = p.slot();
        int timeoutMs = inv.action().limits().timeoutMs();
        JsonNode initError;
        try {
            // The activation that runs /init completes this within its own start and time limits.
            initError = slot.initialized.get(config.startTimeout().toMillis() + timeoutMs + 5_000L, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            initError = ActionProxy.error("The container did not finish its initialization in time.");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        if (initError != null) {
            long now = clock.millis();
            return new Executed(new ActivationOutcome(now, now, ActivationOutcome.DEVELOPER_ERROR, initError, List.of(),
                    OptionalLong.empty(), now - inv.receivedAtMillis(), false, p.containerState()), false);
        }
        long start = clock.millis();
        pool.thaw(slot);
        return run(p, start, Math.max(0, start - inv.receivedAtMillis()), start + timeoutMs, OptionalLong.empty());
    }

    private Executed run(Placement p, long start, long waitTime, long deadline, OptionalLong initTime) throws InterruptedException {
        Invocation inv = p.job().invocation();
        Slot slot = p.slot();
        ActionLimits limits = inv.action().limits();
        ProxyReply run = proxy.run(slot.process, inv, deadline, (int) (deadline - clock.millis()), limits.timeoutMs());
        long end = clock.millis();
        if (run.busy() && config.stockOpenWhisk()) {
            // OpenWhisk: a container health error; the container goes, with its keys and models
            return new Executed(healthReschedule(p) ? null : new ActivationOutcome(start, end, ActivationOutcome.DEVELOPER_ERROR,
                    run.result(), List.of(), initTime, waitTime, false, p.containerState()), true);
        }
        if (run.busy()) {
            if (end + ContainerPool.BUSY_RETRY_MS < inv.receivedAtMillis() + limits.timeoutMs()) {
                return new Executed(null, false); // the container stays; the job goes back to the queue
            }
            // Out of time: fail with the container's answer, but keep the (healthy, busy) container.
            return new Executed(new ActivationOutcome(start, end, ActivationOutcome.DEVELOPER_ERROR, run.result(), List.of(),
                    initTime, waitTime, false, p.containerState()), false);
        }
        boolean remove = run.statusCode() >= ActivationOutcome.DEVELOPER_ERROR;
        List<String> logs;
        if (slot.concurrency > 1) {
            logs = List.of(clock.instant() + " stderr: " + CONCURRENT_LOGS_NOTE);
        } else if (remove) {
            logs = logsAfterFailure(slot, limits);
        } else {
            logs = slot.process.logs().collect(logWaitMillis(slot), logLimit(limits));
        }
        return new Executed(new ActivationOutcome(start, end, run.statusCode(), run.result(), logs, initTime, waitTime,
                run.timedOut(), p.containerState()), remove);
    }

    /** Appends {@link #DEVELOPER_ERROR_NOTE} to the logs of a developer error, as OpenWhisk's log stores do. */
    ActivationOutcome withDeveloperErrorNote(ActivationOutcome o) {
        if (o.statusCode() != ActivationOutcome.DEVELOPER_ERROR) {
            return o;
        }
        List<String> logs = new ArrayList<>(o.logs());
        logs.add(clock.instant() + " stderr: " + DEVELOPER_ERROR_NOTE);
        return new ActivationOutcome(o.start(), o.end(), o.statusCode(), o.result(), List.copyOf(logs), o.initTimeMs(), o.waitTimeMs(),
                o.timeout(), o.containerState());
    }

    /** After a {@code 503} on a stock OpenWhisk: whether the activation may go to another container (it may once). */
    private static boolean healthReschedule(Placement p) {
        LOG.warn("activation {}: the container answered 503; destroying it as OpenWhisk does{}", p.job().invocation().activationId(),
                p.job().attempts() < HEALTH_RESCHEDULES ? " and rescheduling the activation" : "");
        return p.job().attempts() < HEALTH_RESCHEDULES;
    }

    /** Kills the process first so the log readers reach the end of its output, then collects it. */
    private List<String> logsAfterFailure(Slot slot, ActionLimits limits) throws InterruptedException {
        ProcessContainer process = slot.process;
        if (process == null) {
            return List.of();
        }
        if (slot.concurrency > 1) {
            return List.of(clock.instant() + " stderr: " + CONCURRENT_LOGS_NOTE);
        }
        process.close();
        return process.logs().collect(config.logWait().toMillis(), logLimit(limits));
    }

    /** Images that do not mark the end of an activation's output get no wait: their logs are what is there. */
    private long logWaitMillis(Slot slot) {
        return images.lookup(slot.image).map(ImageRegistry.Image::sentinelledLogs).orElse(false) ? config.logWait().toMillis() : 0;
    }

    private static long logLimit(ActionLimits limits) {
        return (long) limits.logsMb() * 1024 * 1024;
    }

    /** A failure before anything ran in a container: start and end now. */
    ActivationOutcome failure(Invocation inv, int status, String message, String containerState) {
        long now = clock.millis();
        ObjectNode error = ActionProxy.error(message);
        return new ActivationOutcome(now, now, status, error, List.of(), OptionalLong.empty(), Math.max(0, now - inv.receivedAtMillis()),
                false, containerState);
    }
}
