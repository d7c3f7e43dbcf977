import { attachmentColdStart } from "../attachment-setup.ts";
import { bundleOf } from "../bundles.ts";
import { coldStartsByMemory } from "../cold-by-memory.ts";
import { profileColdStarts } from "../cold-profile.ts";
import { coldStarts, type ColdSide } from "../measures.ts";
import { defineScenario } from "../scenario.ts";
import { median, round } from "../stats.ts";

/**
 * Fresh processes of ours, Apollo and the floor (and ours listing 20 notes with files), interleaved:
 * the loaded bytes, the cold starts and their ratios, the same at each Lambda memory size, and where
 * a cold start of ours goes (CPU profiles).
 */
export const scenario = defineScenario({
  name: "cold-start",
  summary: "bundle bytes; cold starts of ours, Apollo, the floor and an attachment listing; by memory size; cold-start profiles",
  plan: {
    quick: { coldRuns: 10, sizedColdRuns: 6, profiledColdStarts: 3 },
    full: { coldRuns: 20, sizedColdRuns: 12, profiledColdStarts: 5 },
  },
  async run({ world }, plan) {
    const [ours, apollo, floor] = await Promise.all([bundleOf("ours"), bundleOf("apollo"), bundleOf("floor")]);
    const attachment = await attachmentColdStart(world, ours);
    const first = world.noteRequest;
    const sides: Record<string, ColdSide> = {
      ours: { spec: { bundle: ours.file, first } },
      apollo: { spec: { bundle: apollo.file, first } },
      floor: { spec: { bundle: floor.file, first } },
      ...("spec" in attachment ? { attachment: { spec: attachment.spec } } : {}),
    };
    const reports = await coldStarts(world, sides, plan.coldRuns);
    const ms = (name: string) => reports[name]?.map((r) => r.answeredMs);
    const cpuMs = (name: string) => median(reports[name]!.map((r) => r.cpuMs));
    const [coldOurs, coldApollo, coldFloor] = ["ours", "apollo", "floor"].map((name) => median(ms(name)!)) as [number, number, number];
    const coldAttachment = "spec" in attachment ? median(ms("attachment")!) : null;

    const sized = await coldStartsByMemory(world, { ours: sides.ours!.spec, apollo: sides.apollo!.spec, floor: sides.floor!.spec }, plan.sizedColdRuns);
    const coldProfile = await profileColdStarts(world, sides.ours!.spec, "ours", plan.profiledColdStarts);
    const attachmentProfile = "spec" in attachment ? await profileColdStarts(world, attachment.spec, "attachment", plan.profiledColdStarts) : null;
    const samples = (name: string) => ms(name)?.map((v) => round(v, 1)) ?? null;
    return {
      figures: {
        bundle_bytes: ours.bytes,
        bundle_total_bytes: ours.totalBytes,
        apollo_bundle_bytes: apollo.bytes,
        floor_bundle_bytes: floor.bytes,
        cold_start_ms: round(coldOurs, 1),
        apollo_cold_start_ms: round(coldApollo, 1),
        floor_cold_start_ms: round(coldFloor, 1),
        cold_vs_apollo: round(coldOurs / coldApollo),
        cold_graphql_share_vs_apollo: round((coldOurs - coldFloor) / (coldApollo - coldFloor)),
        cold_start_cpu_ms: round(cpuMs("ours"), 1),
        apollo_cold_start_cpu_ms: round(cpuMs("apollo"), 1),
        cold_start_ms_by_memory: sized.figures?.cold_start_ms_by_memory ?? null,
        apollo_cold_start_ms_by_memory: sized.figures?.apollo_cold_start_ms_by_memory ?? null,
        floor_cold_start_ms_by_memory: sized.figures?.floor_cold_start_ms_by_memory ?? null,
        cold_vs_apollo_by_memory: sized.figures?.cold_vs_apollo_by_memory ?? null,
        cold_graphql_share_vs_apollo_by_memory: sized.figures?.cold_graphql_share_vs_apollo_by_memory ?? null,
        attachment_cold_start_ms: coldAttachment === null ? null : round(coldAttachment, 1),
        attachment_cold_vs_note_cold: coldAttachment === null ? null : round(coldAttachment / coldOurs),
        cold_profile: coldProfile,
        attachment_cold_profile: attachmentProfile,
      },
      samples: {
        cold_ours_ms: samples("ours"),
        cold_apollo_ms: samples("apollo"),
        cold_floor_ms: samples("floor"),
        cold_attachment_ms: samples("attachment"),
        cold_by_memory: sized.samples,
        bundle_files: ours.files,
      },
      notMeasurable: {
        ...("reason" in attachment ? { attachment_cold_start_ms: attachment.reason, attachment_cold_vs_note_cold: attachment.reason } : {}),
        ...(sized.notMeasurable ? { cold_start_ms_by_memory: sized.notMeasurable, cold_vs_apollo_by_memory: sized.notMeasurable } : {}),
      },
      run: { lambda: { cpu_quota: sized.cpuQuota } },
    };
  },
});
