package io.gatehouse.insight.threat;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Thresholds of the streaming detectors; see {@code docs/security-analysis.md} for their meaning.
 *
 * @param window the window over which per-identity counts are taken (default 60 s)
 * @param spikeBucket the bucket length of the per-API traffic baseline (default 60 s)
 * @param spikeWarmupBuckets buckets learned before spikes are judged (default 5)
 * @param spikeFactor a bucket above this multiple of the baseline is a spike (default 5)
 * @param spikeMinRequests a spike needs at least this many requests in the bucket (default 100)
 * @param enumerationDistinctIds distinct ids of one templated endpoint per identity and window (default 50)
 * @param enumerationSequentialRun consecutive ids one apart (default 20)
 * @param bruteForceFailures 401/403 answers per identity and window (default 20)
 * @param largeResponseFactor a response above this multiple of the endpoint's mean size (default 10)
 * @param largeResponseMinBytes ... and at least this many bytes (default 256 KiB)
 * @param largeResponseWarmup responses learned per endpoint before judging (default 50)
 * @param scanDistinctEndpoints distinct endpoints per identity and window (default 30)
 * @param scanNotFound 404 answers per identity and window (default 20)
 * @param paramWarmup requests per endpoint during which parameter names are learned (default 100)
 * @param maxIdentities identities tracked per detector, least recently seen evicted (default 10,000)
 * @param maxEndpoints endpoints tracked per detector (default 5,000)
 * @param cooldown the least time between two alerts of one detector for one identity (default 10 min)
 * @param learningPeriod how long the baseline detectors (traffic spike, large response, unseen
 *     parameter) observe the traffic of an API or endpoint, from its first request, before they may
 *     alert on it; on top of their count-based warm-ups (default 10 min)
 */
public record ThreatSettings(
    Duration window,
    Duration spikeBucket,
    int spikeWarmupBuckets,
    double spikeFactor,
    int spikeMinRequests,
    int enumerationDistinctIds,
    int enumerationSequentialRun,
    int bruteForceFailures,
    double largeResponseFactor,
    long largeResponseMinBytes,
    int largeResponseWarmup,
    int scanDistinctEndpoints,
    int scanNotFound,
    int paramWarmup,
    int maxIdentities,
    int maxEndpoints,
    Duration cooldown,
    Duration learningPeriod) {

  public ThreatSettings {
    requireNonNull(window, "window");
    requireNonNull(spikeBucket, "spikeBucket");
    requireNonNull(cooldown, "cooldown");
    requireNonNull(learningPeriod, "learningPeriod");
    if (learningPeriod.isNegative()) {
      throw new IllegalArgumentException("learningPeriod must be zero or more but was " + learningPeriod);
    }
  }

  /** These settings with {@code learningPeriod} instead of this one's. */
  public ThreatSettings withLearningPeriod(Duration learningPeriod) {
    return new ThreatSettings(window, spikeBucket, spikeWarmupBuckets, spikeFactor, spikeMinRequests,
        enumerationDistinctIds, enumerationSequentialRun, bruteForceFailures, largeResponseFactor,
        largeResponseMinBytes, largeResponseWarmup, scanDistinctEndpoints, scanNotFound, paramWarmup, maxIdentities,
        maxEndpoints, cooldown, learningPeriod);
  }

  /** The documented defaults. */
  public static final ThreatSettings DEFAULTS = new ThreatSettings(Duration.ofSeconds(60), Duration.ofSeconds(60), 5,
      5.0, 100, 50, 20, 20, 10.0, 256 * 1024, 50, 30, 20, 100, 10_000, 5_000, Duration.ofMinutes(10),
      Duration.ofMinutes(10));
}
