package org.sesemi.platform.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One stored action document.
 *
 * @param namespace the entity namespace: {@code ns} or {@code ns/pkg}
 * @param name the action's simple name
 * @param revision changes on every write of this action (drawn from one store-wide counter, so a deleted and
 *     re-created action never reuses a revision)
 * @param updated epoch ms of the last write
 * @param doc the action as the API returns it (a private copy; callers must not mutate it)
 */
public record StoredAction(String namespace, String name, long revision, long updated, ObjectNode doc) {}
