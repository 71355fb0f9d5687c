package org.sesemi.packer;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/** The JDK HTTP server is the HTTP layer's business: FnPacker's gateway speaks HTTP only through {@code org.sesemi.http}. */
class HttpLayerRuleTest {
    static final ArchRule ONLY_THE_LAYER_TOUCHES_THE_JDK_SERVER = noClasses().that().resideOutsideOfPackage("org.sesemi.http..")
            .should().dependOnClassesThat().resideInAPackage("com.sun.net.httpserver..")
            .because("routing, body limits, error shapes, timeouts and access logs live in one HTTP layer (issue 11)");

    @Test
    void packerMainCodeUsesOnlyTheLayer() {
        JavaClasses main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.sesemi.packer");
        ONLY_THE_LAYER_TOUCHES_THE_JDK_SERVER.check(main);
    }

    /** A class that handles an exchange itself, as the gateway did before the layer: the rule must catch it. */
    static final class HandWrittenHandler {
        int status(HttpExchange ex) {
            return ex.getResponseCode();
        }
    }

    @Test
    void theRuleCatchesAHandWrittenHandler() {
        JavaClasses offender = new ClassFileImporter().importClasses(HandWrittenHandler.class);
        assertThatThrownBy(() -> ONLY_THE_LAYER_TOUCHES_THE_JDK_SERVER.check(offender)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("com.sun.net.httpserver.HttpExchange");
    }
}
