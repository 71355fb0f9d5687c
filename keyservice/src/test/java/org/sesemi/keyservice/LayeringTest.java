package org.sesemi.keyservice;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Mechanism and policy stay apart: HTTP is thin, the domain knows no HTTP, the store knows neither. */
class LayeringTest {
    static final JavaClasses CLASSES = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.sesemi.keyservice");

    @Test
    void theStoreKnowsNoDomainAndNoHttp() {
        noClasses().that().resideInAPackage("..keyservice.store..")
                .should().dependOnClassesThat().resideInAnyPackage("..keyservice.core..", "..keyservice.http..", "com.sun.net.httpserver..")
                .check(CLASSES);
    }

    @Test
    void theDomainKnowsNoHttpAndNoSql() {
        noClasses().that().resideInAPackage("..keyservice.core..")
                .should().dependOnClassesThat().resideInAnyPackage("..keyservice.http..", "com.sun.net.httpserver..", "java.sql..", "javax.net.ssl..")
                .check(CLASSES);
    }

    @Test
    void onlyTheStoreTalksSqlAndHttpHandlersDoNotWriteTheStore() {
        noClasses().that().resideOutsideOfPackage("..keyservice.store..")
                .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "org.sqlite..")
                .check(CLASSES);
        noClasses().that().resideInAPackage("..keyservice.http..")
                .should().callMethodWhere(com.tngtech.archunit.core.domain.JavaCall.Predicates.target(
                        com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner(
                                com.tngtech.archunit.base.DescribedPredicate.describe("KeyStore",
                                        c -> c.getName().equals("org.sesemi.keyservice.store.KeyStore")))))
                .check(CLASSES);
    }
}
