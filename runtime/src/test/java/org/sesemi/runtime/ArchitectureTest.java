package org.sesemi.runtime;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The trusted/host boundary, enforced: host adapters handle envelopes and outcome codes only. They cannot reach
 * keys, key sources, caches, the engine, ONNX Runtime, plaintext OIP bodies or the ciphers.
 */
class ArchitectureTest {
    static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.sesemi.runtime");

    @Test
    void hostCannotReachKeysCachesEngineOrPlaintext() {
        noClasses().that().resideInAPackage("org.sesemi.runtime.host..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "org.sesemi.runtime.core.keys..", "org.sesemi.runtime.core.models..", "org.sesemi.runtime.core.engine..",
                        "org.sesemi.client.inference..", "org.sesemi.client.keyservice..", "org.sesemi.protocol.oip..",
                        "org.sesemi.protocol.keyservice..", "ai.onnxruntime..")
                .because("the host side only ever handles envelopes")
                .check(CLASSES);
    }

    @Test
    void hostCannotTouchKeyMaterialOrCiphers() {
        noClasses().that().resideInAPackage("org.sesemi.runtime.host..")
                .should().dependOnClassesThat().haveFullyQualifiedName("org.sesemi.crypto.ModelKey")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("org.sesemi.crypto.RequestKey")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("org.sesemi.crypto.RequestCipher")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("org.sesemi.crypto.ModelCipher")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("org.sesemi.crypto.DecryptedModel")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("org.sesemi.crypto.SealingKey")
                .check(CLASSES);
    }

    @Test
    void theUntrustedStoreDoesNotDependOnTheCore() {
        noClasses().that().resideInAPackage("org.sesemi.runtime.store..")
                .should().dependOnClassesThat().resideInAnyPackage("org.sesemi.runtime.core..", "org.sesemi.runtime.host..")
                .check(CLASSES);
    }

    /**
     * The core's parts (keys, models, engine) refuse requests in the action protocol's one vocabulary
     * ({@link org.sesemi.runtime.core.ErrorCode} + reason, thrown as {@link org.sesemi.runtime.core.RefusedException});
     * that vocabulary is all they may use of the core package above them.
     */
    static final com.tngtech.archunit.lang.ArchRule CORE_PARTS_USE_ONLY_THE_ERROR_VOCABULARY = noClasses()
            .that().resideInAnyPackage("org.sesemi.runtime.core.keys..", "org.sesemi.runtime.core.models..", "org.sesemi.runtime.core.engine..")
            .should().dependOnClassesThat(com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage("org.sesemi.runtime.core")
                    .and(com.tngtech.archunit.base.DescribedPredicate.not(com.tngtech.archunit.core.domain.JavaClass.Predicates
                            .belongToAnyOf(org.sesemi.runtime.core.ErrorCode.class, org.sesemi.runtime.core.RefusedException.class))));

    @Test
    void corePartsUseOnlyTheCoresErrorVocabulary() {
        CORE_PARTS_USE_ONLY_THE_ERROR_VOCABULARY.check(CLASSES);
        JavaClasses offender = new ClassFileImporter().importPackages("org.sesemi.runtime.core.keys").that(com.tngtech.archunit.core.domain.JavaClass.Predicates.simpleName("CoreReachingPart"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CORE_PARTS_USE_ONLY_THE_ERROR_VOCABULARY.check(offender))
                .isInstanceOf(AssertionError.class).hasMessageContaining("CoreConfig");
    }

    @Test
    void theCoreDoesNotDependOnTheHost() {
        noClasses().that().resideInAPackage("org.sesemi.runtime.core..")
                .should().dependOnClassesThat().resideInAPackage("org.sesemi.runtime.host..")
                .check(CLASSES);
    }
}
