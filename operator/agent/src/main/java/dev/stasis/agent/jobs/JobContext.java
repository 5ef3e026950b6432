package dev.stasis.agent.jobs;

import dev.stasis.agent.v1.ContainerResult;
import dev.stasis.agent.v1.PushedImage;
import java.nio.file.Path;

/** What a running job's work may tell the manager. Thread-safe. */
public interface JobContext {
  String jobId();

  /** A new step (Checkpointing, Uploading, ...); published and journalled. */
  void phase(String phase);

  /** Progress over the whole job; published at most a few times a second. */
  void progress(long bytesDone, long bytesTotal);

  void addContainer(ContainerResult result);

  void addImage(PushedImage image);

  /** Where the checkpoint is (or is being written); journalled for clean-up after a restart. */
  void checkpointUri(String uri);

  /** A kubelet archive the job created; journalled so that a restart can delete it. */
  void kubeletArchive(Path archive);

  /** The kubelet archive is gone (deleted once stored); no longer the journal's business. */
  void kubeletArchiveRemoved(Path archive);

  void storedBytes(long bytes);

  /** The manifest is stored: the checkpoint exists and must never be cleaned up. */
  void manifestWritten();

  /** A note for the job's message if it succeeds (something the user should know). */
  void note(String message);

  /** Whether CancelJob was called; work checks it between steps (and is interrupted). */
  boolean cancelled();
}
