package org.sesemi.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.sesemi.runtime.core.RuntimeSettings;
import picocli.CommandLine;

/**
 * Parses every manifest under {@code deploy/} and checks it against the images defined there (their Containerfiles):
 * ports, probes, environment variables the components read, the unprivileged user, the KeyService's persistent
 * volume, the gateway's arguments (parsed by the real {@code packer serve} command) and the OpenWhisk limits the
 * gateway's functions need.
 */
class DeploymentManifestsTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path DEPLOY = locateDeploy();
    private static final Map<String, String> IMAGE_DIRS = Map.of(
            "sesemi/semirt", "runtime", "sesemi/keyservice", "keyservice", "sesemi/fnpacker", "gateway");

    /** What a Containerfile promises: exposed port, health path, environment, entry point. */
    record Image(int port, String health, Map<String, String> env, List<String> entrypoint, List<String> cmd) {}

    @Test
    void everyManifestParses() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(DEPLOY)) {
            files = walk.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        }
        assertThat(files).extracting(p -> DEPLOY.relativize(p).toString()).contains(
                "kubernetes/keyservice.yaml", "kubernetes/runtime-knative.yaml", "kubernetes/gateway.yaml",
                "openwhisk/values.yaml");
        for (Path file : files) {
            assertThat(documents(file)).as(file.toString()).isNotEmpty().allSatisfy(doc -> assertThat(doc.isObject()).isTrue());
        }
    }

    @Test
    void kubernetesWorkloadsMatchTheirImages() throws IOException {
        int workloads = 0;
        for (Path file : kubernetesFiles()) {
            for (JsonNode doc : documents(file)) {
                String kind = doc.path("kind").asText();
                if (!Set.of("Deployment", "StatefulSet").contains(kind) && !isKnativeService(doc)) {
                    continue;
                }
                workloads++;
                JsonNode podSpec = doc.path("spec").path("template").path("spec");
                JsonNode containers = podSpec.path("containers");
                assertThat(containers.size()).as(file + ": one container").isEqualTo(1);
                JsonNode c = containers.get(0);
                String where = file.getFileName() + " " + kind + " " + doc.path("metadata").path("name").asText();
                String repo = c.path("image").asText().replaceFirst(":[^/:]+$", "");
                assertThat(IMAGE_DIRS).as(where + ": image").containsKey(repo);
                Image image = image(IMAGE_DIRS.get(repo));

                JsonNode ports = c.path("ports");
                assertThat(ports.size()).as(where + ": ports").isEqualTo(1);
                assertThat(ports.get(0).path("containerPort").asInt()).as(where + ": containerPort = the image's EXPOSE")
                        .isEqualTo(image.port());
                String portName = ports.get(0).path("name").asText();
                for (String probe : List.of("readinessProbe", "livenessProbe")) {
                    JsonNode get = c.path(probe).path("httpGet");
                    assertThat(get.isObject()).as(where + ": " + probe).isTrue();
                    assertThat(get.path("path").asText()).as(where + ": " + probe + " path").isEqualTo(image.health());
                    JsonNode port = get.path("port");
                    if (isKnativeService(doc)) {
                        assertThat(port.isMissingNode()).as(where + ": Knative probes use the serving port").isTrue();
                    } else {
                        assertThat(port.isInt() ? Integer.toString(port.asInt()) : port.asText()).as(where + ": " + probe + " port")
                                .isIn(portName, Integer.toString(image.port()));
                    }
                    if (repo.equals("sesemi/keyservice")) {
                        assertThat(get.path("scheme").asText()).as(where + ": the KeyService speaks TLS only").isEqualTo("HTTPS");
                    }
                }
                Map<String, String> env = env(c);
                assertThat(known(repo)).as(where + ": environment variables the component reads").containsAll(env.keySet());
                int user = c.path("securityContext").path("runAsUser").asInt(podSpec.path("securityContext").path("runAsUser").asInt(-1));
                assertThat(user).as(where + ": runs as the image's user").isEqualTo(10001);
                assertThat(c.path("securityContext").path("runAsNonRoot").asBoolean(false)
                        || podSpec.path("securityContext").path("runAsNonRoot").asBoolean(false)).as(where + ": runAsNonRoot").isTrue();
                List<String> args = strings(c.path("args"));
                switch (repo) {
                    case "sesemi/semirt" -> checkKnativeRuntime(where, doc, env);
                    case "sesemi/keyservice" -> checkKeyService(where, doc, c, args, image);
                    case "sesemi/fnpacker" -> checkGateway(where, args);
                    default -> fail("unexpected image " + repo);
                }
            }
        }
        assertThat(workloads).as("the runtime, the KeyService and the gateway").isEqualTo(3);
    }

    private static void checkKnativeRuntime(String where, JsonNode service, Map<String, String> env) {
        assertThat(env).as(where + ": Knative mode").containsEntry("__OW_RUNTIME_PLATFORM", "knative");
        assertThat(env).as(where + ": Knative sets PORT itself").doesNotContainKey("PORT");
        assertThat(env).as(where).containsKeys(RuntimeSettings.KS_URL, RuntimeSettings.KS_MEASUREMENT);
        int admitted = Integer.parseInt(env.get(RuntimeSettings.MAX_CONCURRENT)) + Integer.parseInt(env.get(RuntimeSettings.MAX_QUEUE));
        int containerConcurrency = service.path("spec").path("template").path("spec").path("containerConcurrency").asInt(0);
        assertThat(containerConcurrency).as(where + ": containerConcurrency within the runtime's admission (no 'busy' answers)")
                .isBetween(1, admitted);
    }

    private static void checkKeyService(String where, JsonNode statefulSet, JsonNode c, List<String> args, Image image) {
        assertThat(statefulSet.path("kind").asText()).isEqualTo("StatefulSet");
        assertThat(args).as(where + ": the image's default arguments").isEqualTo(image.cmd());
        String db = args.get(args.indexOf("--db") + 1);
        JsonNode claims = statefulSet.path("spec").path("volumeClaimTemplates");
        assertThat(claims.size()).as(where + ": a persistent volume").isEqualTo(1);
        String claim = claims.get(0).path("metadata").path("name").asText();
        String mountPath = null;
        for (JsonNode m : c.path("volumeMounts")) {
            if (m.path("name").asText().equals(claim)) {
                mountPath = m.path("mountPath").asText();
            }
        }
        assertThat(mountPath).as(where + ": the claim is mounted").isNotNull();
        assertThat(db).as(where + ": the database is on the persistent volume").startsWith(mountPath + "/");
        assertThat(env(c).get("SESEMI_TEE_DIR")).as(where + ": the simulated TEE's state is on the persistent volume")
                .startsWith(mountPath + "/");
        new CommandLine(new KeyServiceCommand()).parseArgs(prepend("serve", args));
    }

    private static void checkGateway(String where, List<String> args) throws IOException {
        PackerCommand.Serve serve = new PackerCommand.Serve();
        new CommandLine(serve).parseArgs(args.toArray(String[]::new)); // throws on an unknown or malformed option
        assertThat(serve.bind.isAnyLocalAddress()).as(where + ": reachable from other pods").isTrue();
        JsonNode limits = documents(DEPLOY.resolve("openwhisk/values.yaml")).get(0).path("whisk").path("limits");
        assertThat((long) serve.memoryMb).as(where + ": --memory within OpenWhisk's actions.memory.max")
                .isLessThanOrEqualTo(megabytes(limits.path("actions").path("memory").path("max").asText()));
        assertThat(serve.concurrency).as(where + ": --concurrency within OpenWhisk's actions.concurrency.max")
                .isLessThanOrEqualTo(limits.path("actions").path("concurrency").path("max").asInt());
        assertThat((long) serve.maxEnvelope).as(where + ": --max-envelope within OpenWhisk's activation.payload.max")
                .isLessThanOrEqualTo(Long.parseLong(limits.path("activation").path("payload").path("max").asText()));
        Set<String> runtimeSettings = known("sesemi/semirt");
        assertThat(serve.init.keySet()).as(where + ": --init names runtime settings").isSubsetOf(runtimeSettings);
        int admitted = Integer.parseInt(serve.init.getOrDefault(RuntimeSettings.MAX_CONCURRENT, "1"))
                + Integer.parseInt(serve.init.getOrDefault(RuntimeSettings.MAX_QUEUE, "64"));
        assertThat(serve.concurrency).as(where + ": the runtime admits every request OpenWhisk may send it (a 503 destroys it)")
                .isLessThanOrEqualTo(admitted);
    }

    @Test
    void openWhiskValuesEnableIntraContainerConcurrency() throws IOException {
        JsonNode values = documents(DEPLOY.resolve("openwhisk/values.yaml")).get(0);
        assertThat(values.path("invoker").path("containerFactory").path("enableConcurrency").asBoolean()).isTrue();
        assertThat(values.path("whisk").path("loadbalancer").path("blackboxFraction").asText()).isEqualTo("100%");
        assertThat(values.path("whisk").path("limits").path("actions").path("concurrency").path("max").asInt()).isGreaterThan(1);
    }

    @Test
    void imagesRunAsTheUnprivilegedUserAndCarryOciLabels() throws IOException {
        String app = Files.readString(DEPLOY.resolve("images/app/Containerfile"));
        assertThat(app).contains("USER 10001:10001");
        // the labels all images share are set once, in the common layer they are built FROM
        assertThat(app).contains("org.opencontainers.image.version", "org.opencontainers.image.revision", "org.opencontainers.image.created",
                "org.opencontainers.image.base.name", Containers.CODE_DIGEST_LABEL);
        for (String dir : IMAGE_DIRS.values()) {
            String file = Files.readString(DEPLOY.resolve("images/" + dir + "/Containerfile"));
            assertThat(file).as(dir).doesNotContain("USER root").contains("FROM ${APP}", "org.opencontainers.image.title",
                    "org.opencontainers.image.description");
            assertThat(image(dir).entrypoint()).as(dir).startsWith("/opt/sesemi/bin/sesemi");
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    private static boolean isKnativeService(JsonNode doc) {
        return doc.path("apiVersion").asText().startsWith("serving.knative.dev/") && doc.path("kind").asText().equals("Service");
    }

    /** Environment variables each component reads (beyond the JVM's JAVA_OPTS, read by the images' entry point). */
    private static Set<String> known(String repo) {
        Set<String> names = new TreeSet<>(Set.of("JAVA_OPTS"));
        switch (repo) {
            case "sesemi/semirt" -> {
                for (Field f : RuntimeSettings.class.getFields()) {
                    if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                        try {
                            names.add((String) f.get(null));
                        } catch (IllegalAccessException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                }
                names.addAll(Set.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "__OW_RUNTIME_PLATFORM", "__OW_ALLOW_CONCURRENT"));
            }
            case "sesemi/keyservice" -> names.addAll(Set.of("SESEMI_TEE", "SESEMI_TEE_DIR"));
            case "sesemi/fnpacker" -> names.addAll(Set.of(PackerCommand.Serve.APIHOST_ENV, PackerCommand.Serve.API_KEY_ENV, PackerCommand.Serve.CA_ENV));
            default -> throw new IllegalArgumentException(repo);
        }
        return names;
    }

    private static Image image(String dir) throws IOException {
        String text = Files.readString(DEPLOY.resolve("images/" + dir + "/Containerfile")).replace("\\\n", " ");
        Matcher expose = Pattern.compile("(?m)^EXPOSE\\s+(\\d+)").matcher(text);
        Matcher health = Pattern.compile("org\\.sesemi\\.health=\"([^\"]+)\"").matcher(text);
        Matcher label = Pattern.compile("org\\.sesemi\\.port=\"(\\d+)\"").matcher(text);
        assertThat(expose.find() && health.find() && label.find()).as(dir + ": EXPOSE and the org.sesemi labels").isTrue();
        assertThat(label.group(1)).as(dir + ": port label = EXPOSE").isEqualTo(expose.group(1));
        Map<String, String> env = new LinkedHashMap<>();
        Matcher envLine = Pattern.compile("(?m)^ENV\\s+(.*)$").matcher(text);
        while (envLine.find()) {
            Matcher kv = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\\S+)").matcher(envLine.group(1));
            while (kv.find()) {
                env.put(kv.group(1), kv.group(2).replace("\"", ""));
            }
        }
        return new Image(Integer.parseInt(expose.group(1)), health.group(1), env, jsonArray(text, "ENTRYPOINT"), jsonArray(text, "CMD"));
    }

    private static List<String> jsonArray(String containerfile, String instruction) throws IOException {
        Matcher m = Pattern.compile("(?m)^" + instruction + "\\s+(\\[.*])\\s*$").matcher(containerfile);
        return m.find() ? strings(new ObjectMapper().readTree(m.group(1))) : List.of();
    }

    private static Map<String, String> env(JsonNode container) {
        Map<String, String> env = new HashMap<>();
        for (JsonNode e : container.path("env")) {
            env.put(e.path("name").asText(), e.path("value").asText(null));
        }
        return env;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static String[] prepend(String first, List<String> rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all.toArray(String[]::new);
    }

    private static long megabytes(String size) {
        Matcher m = Pattern.compile("(\\d+)([mg])").matcher(size.toLowerCase(java.util.Locale.ROOT));
        assertThat(m.matches()).as("size " + size).isTrue();
        return Long.parseLong(m.group(1)) * (m.group(2).equals("g") ? 1024 : 1);
    }

    private static List<Path> kubernetesFiles() throws IOException {
        try (Stream<Path> files = Files.list(DEPLOY.resolve("kubernetes"))) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    private static List<JsonNode> documents(Path file) throws IOException {
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            List<JsonNode> docs = new ArrayList<>();
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    docs.add(doc);
                }
            }
            return docs;
        }
    }

    private static Path locateDeploy() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("deploy/images")) && Files.exists(dir.resolve("mvnw"))) {
                return dir.resolve("deploy");
            }
        }
        throw new IllegalStateException("deploy/ not found above " + Path.of("").toAbsolutePath());
    }
}
