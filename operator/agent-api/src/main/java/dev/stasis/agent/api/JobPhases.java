package dev.stasis.agent.api;

/** The steps a job reports in {@code Job.phase}, for people. */
public final class JobPhases {
  public static final String QUEUED = "Queued";
  public static final String CHECKPOINTING = "Checkpointing";
  public static final String UPLOADING = "Uploading";
  public static final String WRITING_MANIFEST = "WritingManifest";
  public static final String DOWNLOADING = "Downloading";
  public static final String VERIFYING = "Verifying";
  public static final String BUILDING_IMAGE = "BuildingImage";
  public static final String PUSHING = "Pushing";
  public static final String CLEANING = "Cleaning";
  public static final String DONE = "Done";

  private JobPhases() {}
}
