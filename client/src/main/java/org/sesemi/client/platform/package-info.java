/**
 * A Java client for the OpenWhisk REST API subset (actions, invocations, activations): the same code talks to a real
 * Apache OpenWhisk deployment and to the project's embedded platform ({@code docs/platform.md}).
 */
package org.sesemi.client.platform;
