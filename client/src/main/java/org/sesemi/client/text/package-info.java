/** User-side text preprocessing (tokenization) for BERT-family models; runs on the user's machine, in clear. */
package org.sesemi.client.text;
