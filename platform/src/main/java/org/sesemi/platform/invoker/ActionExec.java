package org.sesemi.platform.invoker;

import java.util.Optional;

/**
 * How an action runs (OpenWhisk {@code exec}). This platform runs {@code blackbox} actions: {@code image} names a
 * runtime the platform knows how to start as a local process (the image registry of the invoker); {@code code} and
 * {@code main} are passed to {@code /init} as given.
 */
public record ActionExec(String kind, Optional<String> image, Optional<String> code, Optional<String> main, boolean binary) {}
