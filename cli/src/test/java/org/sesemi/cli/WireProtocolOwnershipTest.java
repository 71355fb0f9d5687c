package org.sesemi.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The wire formats have one home (issue 11): the request/response envelopes, the Open Inference Protocol bodies and
 * the KeyService bodies are read and written only in {@code org.sesemi.protocol}. Checked over the main classes of
 * every module on this (the top) module's class path.
 */
class WireProtocolOwnershipTest {
    static final JavaClasses CLASSES = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.sesemi");

    /**
     * What a class touches when it deals with a message's encoding: the envelopes (records in crypto, where they are
     * sealed), their codecs, and the codecs of the OIP and KeyService bodies. (Holding a decoded {@code Tensor} or
     * {@code InferenceRequest} while writing a JSON report is not handling an encoding.)
     */
    static final DescribedPredicate<JavaClass> WIRE_ENCODING = DescribedPredicate.describe("envelopes or wire codecs",
            c -> c.getPackageName().equals("org.sesemi.protocol.envelope")
                    || Set.of("org.sesemi.crypto.Envelope", "org.sesemi.crypto.RequestEnvelope", "org.sesemi.crypto.ReferenceEnvelope",
                            "org.sesemi.crypto.PayloadRef", "org.sesemi.protocol.oip.OipCodec", "org.sesemi.protocol.keyservice.WireJson")
                            .contains(c.getName()));

    /**
     * Classes that still parse an envelope themselves; issue 11 step 2 ("parse once per hop") moves what they read into
     * the protocol module and empties this list.
     */
    static final Set<String> NOT_YET_MIGRATED = Set.of("org.sesemi.client.inference.InferenceClient", "org.sesemi.packer.gateway.PackerGateway",
            "org.sesemi.runtime.insecure.InsecurePlainFunction", "org.sesemi.cli.ColdStarts");

    /** Jackson's JSON reading and writing (parsers, generators, trees, mappers). */
    static final DescribedPredicate<JavaClass> JSON_CODEC = DescribedPredicate.describe("Jackson",
            c -> c.getPackageName().startsWith("com.fasterxml.jackson"));

    /**
     * A class that handles wire messages does not also read or write JSON itself: whatever it needs of a message's
     * encoding (a field, the model id, the payload's place) it asks the protocol module for. This is what makes a
     * second, hand-written parse of an envelope or an OIP body (and its drift from the real one) impossible to add
     * unnoticed.
     */
    @Test
    void outsideTheProtocolModuleNoClassBothHandlesWireMessagesAndParsesJson() {
        classes().that().resideOutsideOfPackage("org.sesemi.protocol..")
                .and(DescribedPredicate.describe("migrated", (JavaClass c) -> !NOT_YET_MIGRATED.contains(c.getName())))
                .should(notDependOnBoth(WIRE_ENCODING, JSON_CODEC))
                .because("the wire formats are parsed and written only in org.sesemi.protocol (docs/protocol.md)")
                .check(CLASSES);
    }

    static ArchCondition<JavaClass> notDependOnBoth(DescribedPredicate<JavaClass> a, DescribedPredicate<JavaClass> b) {
        return new ArchCondition<>("not depend both on " + a.getDescription() + " and on " + b.getDescription()) {
            @Override
            public void check(JavaClass c, ConditionEvents events) {
                Set<String> as = new TreeSet<>(), bs = new TreeSet<>();
                for (Dependency d : c.getDirectDependenciesFromSelf()) {
                    JavaClass t = d.getTargetClass();
                    if (a.test(t)) {
                        as.add(t.getSimpleName());
                    }
                    if (b.test(t)) {
                        bs.add(t.getSimpleName());
                    }
                }
                boolean both = !as.isEmpty() && !bs.isEmpty();
                events.add(new SimpleConditionEvent(c, !both, c.getName() + " uses " + as + " and " + bs));
            }
        };
    }
}
