package org.sesemi.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * One HTTP layer (issue #11): the JDK HTTP server is {@code org.sesemi.http}'s business. The four servers (KeyService,
 * runtime, platform, FnPacker's gateway) and everything else speak HTTP only through it, so routing, body limits,
 * deadlines, error shapes and the access log live in one place.
 */
class HttpLayerOwnershipTest {
    static final ArchRule ONLY_THE_LAYER_TOUCHES_THE_JDK_SERVER = noClasses().that().resideOutsideOfPackage("org.sesemi.http..")
            .should().dependOnClassesThat().resideInAPackage("com.sun.net.httpserver..")
            .because("routing, body limits, error shapes, timeouts and access logs live in one HTTP layer (issue 11)");

    @Test
    void mainCodeOfEveryModuleUsesOnlyTheLayer() {
        ONLY_THE_LAYER_TOUCHES_THE_JDK_SERVER.check(MainClasses.ALL);
    }

    @Test
    void theLayerAndTheFourServersAreOnTheClassPath() {
        // Without this, a class path that lost a server would make the rule above pass vacuously.
        for (String server : new String[] {"org.sesemi.http.HttpService", "org.sesemi.keyservice.http.KeyServiceHttp",
                "org.sesemi.runtime.host.RuntimeServer", "org.sesemi.platform.api.PlatformApi", "org.sesemi.packer.gateway.PackerGateway"}) {
            assertThat(MainClasses.ALL.contain(server)).as(server).isTrue();
        }
    }

    /** A class that answers an exchange itself, as each server did before the layer: the rule must catch it. */
    static final class HandWrittenHandler {
        void answer(HttpExchange ex) throws java.io.IOException {
            ex.sendResponseHeaders(200, -1);
        }
    }

    @Test
    void theRuleCatchesAHandWrittenHandler() {
        assertThatThrownBy(() -> ONLY_THE_LAYER_TOUCHES_THE_JDK_SERVER.check(new ClassFileImporter().importClasses(HandWrittenHandler.class)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("com.sun.net.httpserver.HttpExchange");
    }
}
