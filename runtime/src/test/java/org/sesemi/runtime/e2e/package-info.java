/** End-to-end tests: a real KeyService and a real runtime on loopback (SIMULATED TEE), real models, the user's client. */
package org.sesemi.runtime.e2e;
