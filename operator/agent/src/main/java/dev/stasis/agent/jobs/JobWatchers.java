package dev.stasis.agent.jobs;

import dev.stasis.agent.v1.Job;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;

/**
 * Who watches one job (WatchJob streams): each gets every published state until the job is over. A
 * listener that throws is dropped.
 */
final class JobWatchers {
  private final Set<Consumer<Job>> listeners = new CopyOnWriteArraySet<>();

  void add(Consumer<Job> listener) {
    listeners.add(listener);
  }

  void remove(Consumer<Job> listener) {
    listeners.remove(listener);
  }

  /** Tells every listener; after a terminal state there is nobody left to tell. */
  void publish(Job job) {
    for (Consumer<Job> l : listeners) {
      try {
        l.accept(job);
      } catch (RuntimeException e) {
        listeners.remove(l);
      }
    }
    if (Jobs.terminal(job.getState())) {
      listeners.clear();
    }
  }
}
