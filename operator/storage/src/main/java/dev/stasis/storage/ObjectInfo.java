package dev.stasis.storage;

import java.time.Instant;

/**
 * One stored object.
 *
 * @param key the key relative to the store's root
 * @param size stored bytes
 * @param version an opaque version (S3 ETag, GCS generation, file modification time) that ranged
 *     reads are pinned to, so that an object replaced mid-read is an error rather than a mix
 * @param lastModified when the object was written, if the store says
 */
public record ObjectInfo(String key, long size, String version, Instant lastModified) {}
