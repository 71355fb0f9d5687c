/**
 * KeyService benchmarks: key releases over persistent RA-TLS connections with 1, 8 and 64 concurrent runtimes, and
 * the cost of a fresh RA-TLS connection. Numbers and the command are in docs/benchmarks.md ("KeyService").
 */
package org.sesemi.bench.keyservice;
