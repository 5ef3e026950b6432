package dev.stasis.storage;

import dev.stasis.api.v1alpha1.Compression;
import java.net.URI;

/**
 * What an archive upload stored.
 *
 * @param uri the object written
 * @param compression how it is compressed
 * @param archiveBytes bytes of the archive (uncompressed)
 * @param storedBytes bytes of the stored object
 * @param sha256 SHA-256 of the archive, hex
 * @param storedSha256 SHA-256 of the stored object, hex
 * @param parts number of upload parts (1 for a single put)
 */
public record UploadResult(
    URI uri,
    Compression compression,
    long archiveBytes,
    long storedBytes,
    String sha256,
    String storedSha256,
    int parts) {}
