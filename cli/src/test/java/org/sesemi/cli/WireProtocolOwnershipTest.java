package org.sesemi.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
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
    static final JavaClasses CLASSES = MainClasses.ALL;

    /**
     * What a class touches when it deals with the encoding of a message on its way: the envelopes (records in crypto,
     * where they are sealed) and their codecs, the action protocol's bodies around them, and the KeyService bodies'
     * codec. (The OIP body inside an envelope is the user's and the core's plaintext: a benchmark that builds one and
     * reads a JSON report is not re-parsing a message in transit.)
     */
    static final DescribedPredicate<JavaClass> WIRE_ENCODING = DescribedPredicate.describe("envelopes or wire codecs",
            c -> c.getPackageName().equals("org.sesemi.protocol.envelope") || c.getPackageName().equals("org.sesemi.protocol.action")
                    || Set.of("org.sesemi.crypto.Envelope", "org.sesemi.crypto.RequestEnvelope", "org.sesemi.crypto.ReferenceEnvelope",
                            "org.sesemi.crypto.PayloadRef", "org.sesemi.protocol.keyservice.WireJson").contains(c.getName()));

    /** Jackson's entry points for reading JSON (writing a report or an error body is not parsing a message). */
    static final Set<String> JACKSON_READS = Set.of("readTree", "readValue", "readValues", "treeToValue", "createParser", "convertValue");

    /**
     * A class that handles wire messages does not also parse JSON itself: whatever it needs of a message's
     * encoding (a field, the model id, the payload's place) it asks the protocol module for. This is what makes a
     * second, hand-written parse of an envelope or an OIP body (and its drift from the real one) impossible to add
     * unnoticed.
     */
    @Test
    void outsideTheProtocolModuleNoClassBothHandlesWireMessagesAndParsesJson() {
        classes().that().resideOutsideOfPackage("org.sesemi.protocol..")
                .should(notHandleWireEncodingsAndParseJson())
                .because("the wire formats are parsed and written only in org.sesemi.protocol (docs/protocol.md)")
                .check(CLASSES);
    }

    static ArchCondition<JavaClass> notHandleWireEncodingsAndParseJson() {
        return new ArchCondition<>("not both handle " + WIRE_ENCODING.getDescription() + " and parse JSON with Jackson") {
            @Override
            public void check(JavaClass c, ConditionEvents events) {
                Set<String> wire = new TreeSet<>(), parses = new TreeSet<>();
                for (Dependency d : c.getDirectDependenciesFromSelf()) {
                    JavaClass t = d.getTargetClass();
                    if (WIRE_ENCODING.test(t)) {
                        wire.add(t.getSimpleName());
                    }
                    if (t.getName().equals("com.fasterxml.jackson.core.JsonParser")) {
                        parses.add("JsonParser");
                    }
                }
                c.getMethodCallsFromSelf().stream()
                        .filter(m -> m.getTargetOwner().getPackageName().startsWith("com.fasterxml.jackson")
                                && JACKSON_READS.contains(m.getName()))
                        .forEach(m -> parses.add(m.getTargetOwner().getSimpleName() + "." + m.getName()));
                boolean both = !wire.isEmpty() && !parses.isEmpty();
                events.add(new SimpleConditionEvent(c, !both, c.getName() + " uses " + wire + " and parses JSON: " + parses));
            }
        };
    }
}
