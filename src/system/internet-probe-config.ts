import { z } from 'zod';

/**
 * Where the probe looks for the internet by default: three independent public anycast resolvers, by
 * address (no DNS needed to ask) on TCP 443, which each of them answers (DNS over HTTPS). Any one
 * answering means a visitor's phone can reach the internet through the point's link.
 */
export const DEFAULT_INTERNET_TARGETS = [
  { host: '1.1.1.1', port: 443 },
  { host: '8.8.8.8', port: 443 },
  { host: '9.9.9.9', port: 443 },
] as const;

export const internetProbeConfig = () =>
  z.strictObject({
    driver: z
      .literal('probe')
      .describe(
        'probe: TCP connects to well-known internet hosts; any one answering means the internet is up',
      ),
    targets: z
      .array(
        z.strictObject({
          host: z.string().min(1).describe('Host name or address.'),
          port: z.number().int().min(1).max(65_535).describe('TCP port.'),
        }),
      )
      .min(1)
      .max(10)
      .default(DEFAULT_INTERNET_TARGETS.map((t) => ({ ...t })))
      .describe('Tried together each round; default 1.1.1.1, 8.8.8.8 and 9.9.9.9 on port 443.'),
    intervalSec: z.number().min(1).max(3600).default(30).describe('Seconds between probe rounds.'),
    timeoutMs: z
      .number()
      .int()
      .min(100)
      .max(30_000)
      .default(3000)
      .describe('A target that has not accepted the connection by then counts as unreachable.'),
  });

export type InternetProbeConfig = z.output<ReturnType<typeof internetProbeConfig>>;
