package dev.stasis.storage;

import java.net.URI;

/**
 * What an archive download read, after verification.
 *
 * @param uri the object read
 * @param archiveBytes bytes of the archive (decompressed)
 * @param storedBytes bytes of the stored object
 * @param sha256 SHA-256 of the archive, hex
 * @param storedSha256 SHA-256 of the stored object, hex; null when nothing expected one (it is
 *     computed only to be checked)
 * @param verifiedBy what the SHA-256 was checked against: "manifest", "trailer" or "none"
 */
public record DownloadResult(
    URI uri,
    long archiveBytes,
    long storedBytes,
    String sha256,
    String storedSha256,
    String verifiedBy) {}
