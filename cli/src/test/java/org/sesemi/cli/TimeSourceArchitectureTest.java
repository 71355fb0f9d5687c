package org.sesemi.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import java.time.Clock;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Date;
import org.junit.jupiter.api.Test;

/**
 * One time source (issue #11): main code of every module reads time only through {@code org.sesemi.time}
 * ({@code SystemTime}, an injected {@code Ticker} or {@code java.time.Clock}), so tests drive it with the one
 * {@code FakeClock}. The cli module's tests see every other module's main classes (the cli depends on all of them
 * except {@code bench}).
 *
 * <p>Excepted: benchmarks, which measure wall time on purpose — the {@code bench} module (JMH; not on this class path)
 * and the cli's {@code sesemi bench ...} commands ({@code org.sesemi.cli.Bench*}).
 */
class TimeSourceArchitectureTest {
    static final JavaClasses CLASSES = MainClasses.ALL;

    static final ArchRule ONE_TIME_SOURCE = noClasses()
            .that().resideOutsideOfPackage("org.sesemi.time..")
            .and().haveNameNotMatching("org\\.sesemi\\.cli\\.Bench.*")
            .should().callMethod(System.class, "nanoTime")
            .orShould().callMethod(System.class, "currentTimeMillis")
            .orShould().callMethod(Instant.class, "now")
            .orShould().callMethod(Clock.class, "systemUTC")
            .orShould().callMethod(Clock.class, "systemDefaultZone")
            .orShould().callMethod(Clock.class, "system", ZoneId.class)
            .orShould().callMethod(InstantSource.class, "system")
            .orShould().callMethod(LocalDate.class, "now")
            .orShould().callMethod(LocalDateTime.class, "now")
            .orShould().callMethod(OffsetDateTime.class, "now")
            .orShould().callMethod(ZonedDateTime.class, "now")
            .orShould().callConstructor(Date.class)
            .because("time is read through org.sesemi.time (SystemTime, or an injected Ticker/Clock) so that tests can "
                    + "move it with the one FakeClock; benchmarks (the bench module, org.sesemi.cli.Bench*) are excepted");

    @Test
    void mainCodeReadsTimeOnlyThroughTheTimeModule() {
        ONE_TIME_SOURCE.check(CLASSES);
    }

    /** Reads the machine's time directly, as main code must not. */
    static final class ReadsTheSystemClock {
        long now() {
            return System.currentTimeMillis() + Instant.now().getNano();
        }
    }

    @Test
    void theRuleCatchesADirectRead() {
        var result = ONE_TIME_SOURCE.evaluate(new ClassFileImporter().importClasses(ReadsTheSystemClock.class));
        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().getDetails()).anySatisfy(d -> assertThat(d).contains("System.currentTimeMillis()"))
                .anySatisfy(d -> assertThat(d).contains("Instant.now()"));
    }

    @Test
    void theRuleSeesEveryModule() {
        // Without this, a class path that lost a module would make the rule above pass vacuously.
        for (String pkg : new String[] {"org.sesemi.time", "org.sesemi.crypto", "org.sesemi.http", "org.sesemi.attestation", "org.sesemi.client",
                "org.sesemi.keyservice", "org.sesemi.runtime", "org.sesemi.platform", "org.sesemi.packer", "org.sesemi.models",
                "org.sesemi.cli"}) {
            assertThat(CLASSES.containPackage(pkg)).as(pkg).isTrue();
        }
        assertThat(CLASSES.contain("org.sesemi.platform.invoker.ContainerPool")).isTrue();
    }
}
