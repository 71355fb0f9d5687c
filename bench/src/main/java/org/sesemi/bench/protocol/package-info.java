/** JMH benchmarks of the wire protocol: what each hop of a request pays to read and pass on an envelope. */
package org.sesemi.bench.protocol;
