/**
 * The KeyService's durable state in SQLite (WAL, {@code synchronous=FULL}): versioned schema, secret and
 * access-control columns sealed with the TEE's sealing key (AAD = table + primary key), group-committed writes,
 * backup and offline verification.
 */
package org.sesemi.keyservice.store;
