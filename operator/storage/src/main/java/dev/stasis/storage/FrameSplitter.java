package dev.stasis.storage;

import dev.stasis.storage.codec.Frame;
import dev.stasis.storage.codec.FrameCodec;
import dev.stasis.storage.codec.FrameInput;
import dev.stasis.storage.codec.NotSplittableException;
import dev.stasis.storage.codec.Trailer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;

/**
 * The download's splitter stage: cuts the stored stream into frames, in order, and submits each to
 * the decompression pool; the futures go into {@code chunks} in stream order, then {@link
 * Pipeline#END}. A frame it cannot hand out whole (no content size: written by another tool) makes
 * it decode the rest of the stream sequentially, in frame-size slices. Keeps the trailer frame.
 */
final class FrameSplitter implements Runnable {
  private final FrameCodec codec;
  private final URI uri;
  private final RangeInputStream stream;
  private final Pipeline pipeline;
  private final ExecutorService cpu;
  private final BlockingQueue<Object> chunks;
  private final Semaphore frameSlots;
  private final BufferPool inPool;
  private final BufferPool outPool;
  private final DirectBufferPool directPool;
  private volatile Trailer trailer;

  /**
   * @param frameSize decompressed bytes of a frame that Stasis writes
   * @param slots frames in flight between the splitter and the last reader of their chunk
   * @param direct whether chunks go into direct buffers where the codec can decompress into them
   */
  FrameSplitter(
      FrameCodec codec,
      URI uri,
      RangeInputStream stream,
      Pipeline pipeline,
      ExecutorService cpu,
      BlockingQueue<Object> chunks,
      int frameSize,
      int slots,
      boolean direct) {
    this.codec = codec;
    this.uri = uri;
    this.stream = stream;
    this.pipeline = pipeline;
    this.cpu = cpu;
    this.chunks = chunks;
    this.frameSlots = new Semaphore(slots);
    this.inPool = new BufferPool(codec.maxFrameSize(frameSize), slots + 1);
    this.outPool = new BufferPool(frameSize, slots);
    this.directPool =
        direct && codec.decompressesToDirect() ? new DirectBufferPool(frameSize, slots) : null;
  }

  /** The trailer frame, once the stream was read to its end; null if it had none. */
  Trailer trailer() {
    return trailer;
  }

  @Override
  public void run() {
    try {
      split();
      chunks.put(Pipeline.END);
    } catch (Throwable t) {
      pipeline.fail(t);
    }
  }

  private void split() throws IOException, InterruptedException {
    FrameInput in =
        new FrameInput(
            stream, inPool.acquire(pipeline::failed), FrameCodec.MAX_SPLIT_FRAME + 1024 * 1024);
    while (!pipeline.failed()) {
      Frame f;
      try {
        f = codec.next(in);
      } catch (NotSplittableException e) {
        sequential(in);
        return;
      }
      if (f == null) {
        return;
      }
      if (f.trailer() != null) {
        trailer = f.trailer();
        continue;
      }
      if (!f.isData()) {
        continue;
      }
      pipeline.acquire(frameSlots);
      int length = in.length();
      int contentSize = (int) f.contentSize();
      long frameStart = in.frameStart();
      byte[] src = in.take(inPool.acquire(pipeline::failed));
      chunks.put(cpu.submit(() -> decompress(src, length, contentSize, frameStart)));
    }
  }

  private DecodedChunk decompress(byte[] src, int length, int contentSize, long frameStart)
      throws IOException {
    try {
      boolean fits = contentSize <= outPool.bufferSize();
      DecodedChunk c;
      if (directPool != null && fits) {
        ByteBuffer dst = directPool.acquire(pipeline::failed);
        c = DecodedChunk.inDirect(dst, contentSize, () -> directPool.release(dst), frameSlots);
      } else {
        byte[] dst = fits ? outPool.acquire(pipeline::failed) : new byte[contentSize];
        Runnable release = fits ? () -> outPool.release(dst) : () -> {};
        c = DecodedChunk.inArray(dst, contentSize, release, frameSlots);
      }
      try {
        c.decompress(codec, src, length);
      } catch (IOException e) {
        c.discard();
        throw new IntegrityException(
            uri + " is corrupt: frame at offset " + frameStart + ": " + e.getMessage(), e);
      }
      return c;
    } finally {
      inPool.release(src);
    }
  }

  /** The fallback: one decoder over the rest of the stream, read in frame-size slices. */
  private void sequential(FrameInput in) throws IOException, InterruptedException {
    InputStream rest =
        new SequenceInputStream(new ByteArrayInputStream(in.buffer(), 0, in.length()), stream);
    try (InputStream decoder = codec.decoder(rest)) {
      while (!pipeline.failed()) {
        pipeline.acquire(frameSlots);
        byte[] dst = outPool.acquire(pipeline::failed);
        int n = decoder.readNBytes(dst, 0, dst.length);
        if (n == 0) {
          outPool.release(dst);
          frameSlots.release();
          break;
        }
        chunks.put(
            CompletableFuture.completedFuture(
                DecodedChunk.inArray(dst, n, () -> outPool.release(dst), frameSlots)));
      }
    }
  }
}
