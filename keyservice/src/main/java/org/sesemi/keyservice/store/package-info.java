/**
 * The KeyService's durable state in SQLite (WAL, {@code synchronous=FULL}): versioned schema, secret and
 * access-control columns sealed with the TEE's sealing key ({@code RowSealing}), the authoritative rows held in
 * enclave memory ({@code StateTables}) and vouched for by a sealed state head written with every transaction
 * ({@code StateLedger}, checked at open by {@code StateLoader}), the hash-chained audit log ({@code AuditLog}),
 * group-committed writes, and the operator's backup, verify, restore and reseal ({@link
 * org.sesemi.keyservice.store.StoreMaintenance}).
 */
package org.sesemi.keyservice.store;
