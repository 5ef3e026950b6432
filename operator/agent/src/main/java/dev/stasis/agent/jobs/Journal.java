package dev.stasis.agent.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON file per job in STASIS_JOURNAL_DIR ({@code <job id>.json}), replaced atomically on every
 * state change, so that an agent that restarts finds the jobs that were running.
 */
public class Journal {
  private static final Logger LOG = LoggerFactory.getLogger(Journal.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private volatile boolean abandoned;

  public Journal(Path dir) throws IOException {
    this.dir = dir;
    Files.createDirectories(dir);
  }

  public Path dir() {
    return dir;
  }

  /** Writes (replaces) the job's entry; nothing once {@link #abandon()}ed. */
  public synchronized void write(String jobId, JournalEntry entry) {
    if (abandoned) {
      return;
    }
    Path target = file(jobId);
    Path tmp = dir.resolve("." + jobId + ".tmp");
    try {
      Files.write(tmp, JSON.writeValueAsBytes(entry));
      try {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      LOG.error("cannot write the journal entry of job {}: {}", jobId, e.toString());
    }
  }

  /** Every entry, skipping (and reporting) unreadable files. */
  public synchronized List<JournalEntry> readAll() {
    List<JournalEntry> out = new ArrayList<>();
    try (var files = Files.list(dir)) {
      for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".json")).toList()) {
        try {
          out.add(JSON.readValue(p.toFile(), JournalEntry.class));
        } catch (IOException e) {
          LOG.warn("ignoring unreadable journal entry {}: {}", p, e.getMessage());
        }
      }
    } catch (IOException e) {
      LOG.error("cannot read the journal {}: {}", dir, e.toString());
    }
    return out;
  }

  public synchronized void delete(String jobId) {
    try {
      Files.deleteIfExists(file(jobId));
    } catch (IOException e) {
      LOG.warn("cannot delete journal entry {}: {}", jobId, e.toString());
    }
  }

  /** Deletes entries not modified for longer than {@code age}. */
  public synchronized void prune(Duration age) {
    Instant cutoff = Instant.now().minus(age);
    try (var files = Files.list(dir)) {
      for (Path p : files.toList()) {
        if (Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot prune the journal {}: {}", dir, e.toString());
    }
  }

  /**
   * Writes no more, as if the agent had crashed: the entries stay as they are (tests of the restart
   * path).
   */
  public void abandon() {
    abandoned = true;
  }

  private Path file(String jobId) {
    if (!jobId.matches("[A-Za-z0-9._-]{1,128}")) {
      throw new IllegalArgumentException("job id not usable as a file name: " + jobId);
    }
    return dir.resolve(jobId + ".json");
  }
}
