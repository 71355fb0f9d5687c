package org.sesemi.runtime.store;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import org.sesemi.crypto.ModelId;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Encrypted models in S3-compatible object storage (AWS SDK v2), key {@code <prefix><owner id>/<name>.smodel}.
 * Path-style addressing and checksums only when required, so MinIO, S3Proxy and Ceph work as well as AWS.
 */
public final class S3ModelStore implements ModelStore {
    private final S3Client s3;
    private final String bucket;
    private final String prefix;

    /**
     * @param endpoint e.g. {@code http://127.0.0.1:9000}; empty for AWS itself
     */
    public record Config(java.util.Optional<URI> endpoint, String region, String bucket, String prefix, String accessKey, String secretKey) {}

    public S3ModelStore(Config c) {
        var b = S3Client.builder()
                .region(Region.of(c.region()))
                .httpClient(UrlConnectionHttpClient.create())
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(c.accessKey(), c.secretKey())));
        c.endpoint().ifPresent(b::endpointOverride);
        this.s3 = b.build();
        this.bucket = c.bucket();
        this.prefix = c.prefix();
    }

    private String key(ModelId model) {
        return prefix + ModelStore.objectName(model);
    }

    @Override
    public InputStream open(ModelId model) throws IOException {
        try {
            return new BufferedInputStream(s3.getObject(GetObjectRequest.builder().bucket(bucket).key(key(model)).build()), 1 << 16);
        } catch (NoSuchKeyException e) {
            throw new ModelNotFoundException(model, describe());
        } catch (SdkException e) {
            throw new IOException("cannot read " + key(model) + " from " + describe() + ": " + e.getClass().getSimpleName(), e);
        }
    }

    @Override
    public void put(ModelId model, Path encryptedFile) throws IOException {
        try {
            s3.putObject(PutObjectRequest.builder().bucket(bucket).key(key(model)).build(), RequestBody.fromFile(encryptedFile));
        } catch (SdkException e) {
            throw new IOException("cannot write " + key(model) + " to " + describe() + ": " + e.getClass().getSimpleName(), e);
        }
    }

    /** Payload objects under {@code <prefix>payloads/<64 hex>} of the same bucket. */
    @Override
    public java.util.Optional<org.sesemi.client.inference.PayloadStore> payloads() {
        return java.util.Optional.of(new org.sesemi.client.inference.PayloadStore() {
            @Override
            public void put(String name, byte[] object) throws IOException {
                String k = prefix + org.sesemi.client.inference.PayloadStore.checkName(name);
                try {
                    s3.putObject(PutObjectRequest.builder().bucket(bucket).key(k).build(), RequestBody.fromBytes(object));
                } catch (SdkException e) {
                    throw new IOException("cannot write " + k + " to " + describe() + ": " + e.getClass().getSimpleName(), e);
                }
            }

            @Override
            public byte[] get(String name, long maxBytes) throws IOException {
                String k = prefix + org.sesemi.client.inference.PayloadStore.checkName(name);
                try (InputStream in = s3.getObject(GetObjectRequest.builder().bucket(bucket).key(k).build())) {
                    return in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
                } catch (NoSuchKeyException e) {
                    throw new java.nio.file.NoSuchFileException(k);
                } catch (SdkException e) {
                    throw new IOException("cannot read " + k + " from " + describe() + ": " + e.getClass().getSimpleName(), e);
                }
            }

            @Override
            public void delete(String name) throws IOException {
                String k = prefix + org.sesemi.client.inference.PayloadStore.checkName(name);
                try {
                    s3.deleteObject(software.amazon.awssdk.services.s3.model.DeleteObjectRequest.builder().bucket(bucket).key(k).build());
                } catch (SdkException e) {
                    throw new IOException("cannot delete " + k + " from " + describe() + ": " + e.getClass().getSimpleName(), e);
                }
            }

            @Override
            public String describe() {
                return S3ModelStore.this.describe();
            }
        });
    }

    @Override
    public String describe() {
        return "s3://" + bucket + "/" + prefix;
    }

    @Override
    public void close() {
        s3.close();
    }
}
