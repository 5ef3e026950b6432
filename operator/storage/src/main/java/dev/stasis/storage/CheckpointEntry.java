package dev.stasis.storage;

import java.net.URI;

/**
 * A checkpoint found in storage.
 *
 * @param uri the checkpoint's directory, for example {@code s3://bucket/prefix/ns/pod/ck-1a2b3c4d}
 * @param manifest its manifest
 */
public record CheckpointEntry(URI uri, CheckpointManifest manifest) {}
