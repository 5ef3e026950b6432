package dev.stasis.storage;

/**
 * What a download must find, from the manifest; any field may be null when unknown.
 *
 * @param archiveBytes archive bytes
 * @param sha256 archive SHA-256, hex
 * @param storedBytes stored bytes
 * @param storedSha256 stored SHA-256, hex
 */
public record Expected(Long archiveBytes, String sha256, Long storedBytes, String storedSha256) {
  public static final Expected NOTHING = new Expected(null, null, null, null);
}
