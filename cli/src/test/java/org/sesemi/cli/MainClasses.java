package org.sesemi.cli;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * The main classes of every module but {@code bench}, imported once for the architecture rules that span modules
 * ({@link TimeSourceArchitectureTest}, {@link WireProtocolOwnershipTest}, {@link HttpLayerOwnershipTest}): the cli
 * depends on all of them, so its test class path sees them all.
 */
final class MainClasses {
    static final JavaClasses ALL = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.sesemi");

    private MainClasses() {}
}
