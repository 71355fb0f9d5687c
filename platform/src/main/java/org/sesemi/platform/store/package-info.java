/**
 * The platform's durable state in one SQLite file (WAL): subjects with hashed keys, action documents with a revision
 * counter, and activation records with bounded retention.
 */
package org.sesemi.platform.store;
