/**
 * The generated model zoo: layer-for-layer ONNX graphs of MobileNetV1/V2, ResNet-50/101, DenseNet-121 and BERT,
 * with deterministic pseudo-random (untrained) weights, streamed to disk so even BERT-base never sits in the heap.
 */
package org.sesemi.models.zoo;
