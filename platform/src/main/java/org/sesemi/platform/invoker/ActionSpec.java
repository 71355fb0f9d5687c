package org.sesemi.platform.invoker;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One revision of an action, as the invoker needs it. Containers are reused only for the same
 * {@link #path()} and {@link #revision()} (an update means new containers).
 *
 * @param namespace the namespace the action lives in
 * @param path fully qualified name without a leading slash: {@code ns/[pkg/]name}
 * @param name the action's simple name
 * @param version semantic version as stored ({@code 0.0.1}, bumped on every update)
 * @param revision a number that changes whenever the action document changes
 * @param initEnv parameters marked {@code "init": true}: sent to {@code /init} as {@code value.env}
 * @param defaultParams the other action parameters: merged under the invocation's parameters for {@code /run}
 */
public record ActionSpec(String namespace, String path, String name, String version, long revision, ActionExec exec,
        ActionLimits limits, ObjectNode initEnv, ObjectNode defaultParams) {}
