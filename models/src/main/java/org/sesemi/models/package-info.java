/**
 * Models for tests and evaluation: the generated model zoo ({@link org.sesemi.models.zoo}), the real pretrained
 * models the build can reach ({@link org.sesemi.models.RealModels}), and workload generators
 * ({@link org.sesemi.models.workload}).
 */
package org.sesemi.models;
