package org.sesemi.runtime.core.keys;

/** A part of the core that reaches up for more than the error vocabulary: {@code ArchitectureTest} must refuse it. */
final class CoreReachingPart {
    int budget(org.sesemi.runtime.core.CoreConfig c) {
        return (int) c.modelBudgetBytes();
    }
}
