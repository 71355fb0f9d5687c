/** JMH benchmarks of the runtime's warm request path: envelope codecs, the OIP codec and the whole trusted core. */
package org.sesemi.bench.runtime;
