/**
 * The embedded OpenWhisk-compatible serverless platform for one machine: {@code api} (the REST API subset the
 * official clients use), {@code store} (actions, subjects and activation records in SQLite), {@code invoker} (a
 * container pool whose "containers" are separate runtime processes on loopback ports, speaking the OpenWhisk action
 * protocol). See {@code docs/platform.md}.
 */
package org.sesemi.platform;
