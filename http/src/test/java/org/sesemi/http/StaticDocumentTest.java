package org.sesemi.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StaticDocumentTest {
    @Test
    void readsAResourceOfTheOwnersJar() {
        // This test class's own bytecode is a resource its loader finds: the class file magic number.
        byte[] b = StaticDocument.load(StaticDocumentTest.class, "/org/sesemi/http/StaticDocumentTest.class");
        assertThat(b).startsWith((byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE);
    }

    @Test
    void aMissingDocumentIsAPackagingErrorNamingIt() {
        assertThatThrownBy(() -> StaticDocument.load(StaticDocumentTest.class, "/org/sesemi/http/no-such-openapi.json"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("/org/sesemi/http/no-such-openapi.json")
                .hasMessageContaining(StaticDocumentTest.class.getName());
    }
}
