package io.cairn.offload.bench;

import io.cairn.offload.dpu.IsolationScenario;

/**
 * The isolation benchmark (scripts/bench-isolation): probe latency of an application actor idle,
 * with the DPU tier saturated on its own dispatcher, and with the same work placed on the default
 * dispatcher — three phases in one run, so the contrast is measured under the same conditions.
 */
public final class IsolationBench {

  private IsolationBench() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    IsolationScenario.runAndPrint(seconds, rounds, System.out);
  }
}
