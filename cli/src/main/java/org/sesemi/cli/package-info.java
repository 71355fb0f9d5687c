/** The {@code sesemi} command: picocli subcommands that map flags onto the components' configuration records. */
package org.sesemi.cli;
