import { SeededRandom } from './random.js';
import type { Conditions, Scenario } from './scenarios.js';

/** Physical constants of the simulated point, chosen so a blackout plays out over a few hours. */
const BATTERY_AH = 100;
const NOMINAL_V = 12.5;
const CHARGE_A = 15;
const BASE_LOAD_W = 180;
const LOAD_PER_PERSON_W = 6;
const GENERATOR_RATED_W = 2000;
const GENERATOR_START_SOC = 50;
const FUEL_PERCENT_PER_HOUR_AT_FULL_LOAD = 20;
const HEATER_C_PER_HOUR = 6;
const LOSS_PER_HOUR = 0.12;
const TARGET_INDOOR_C = 21.5;
/** How long the mobile mast's own battery carries the provider's internet into a blackout. */
const MAST_BACKUP_SEC = 3600;

export interface WorldState {
  elapsedSec: number;
  mains: boolean;
  /** Seconds since the grid failed; 0 while it is up. */
  mainsOffSec: number;
  /** Whether visitors can reach the internet: the provider's mast outlasts the grid by MAST_BACKUP_SEC. */
  internetUp: boolean;
  outdoorC: number;
  indoorC: number;
  socPercent: number;
  batteryCurrentA: number;
  batteryVoltage: number;
  generatorRunning: boolean;
  generatorLoadPercent: number;
  fuelPercent: number;
  runHours: number;
  peopleInside: number;
}

/**
 * The simulated point's physics, stepped in whole seconds of simulated time. It knows nothing of
 * drivers or channels: sim drivers sample it, as real drivers sample real devices.
 *
 * Continuous across restarts without a file: the world at `startSec` is replayed from the scenario's
 * start, second by second, with the same code, so it is exactly the world that ran uninterrupted from
 * 0 (a Pi that reboots finds its battery as drained as it left it). Its random numbers come from its own
 * stream of the seed, so the sensor noise the drivers draw never changes its future.
 */
export class SimWorld {
  private s: WorldState;
  private readonly rng: SeededRandom;
  /** Passages since the door driver last looked, in order. */
  private passages: Array<'in' | 'out'> = [];
  /**
   * Off during the replay: the service restores its people count from its log, which already holds
   * what earlier runs counted. Passages no run logged (a SIGKILL's lost commit) stay uncounted, as a
   * real door counter misses who came in while the Pi was down; the operator corrects the count.
   */
  private recording = false;

  constructor(
    private readonly scenario: Scenario,
    seed: number,
    private readonly capacity: number,
    startSec = 0,
  ) {
    this.rng = SeededRandom.stream(seed, 'world');
    const i = scenario.initial;
    this.s = {
      elapsedSec: 0,
      mains: true,
      mainsOffSec: 0,
      internetUp: true,
      outdoorC: 0,
      indoorC: i.indoorC,
      socPercent: i.socPercent,
      batteryCurrentA: 0,
      batteryVoltage: NOMINAL_V,
      generatorRunning: false,
      generatorLoadPercent: 0,
      fuelPercent: i.fuelPercent,
      runHours: 120,
      peopleInside: Math.round((i.people * capacity) / 40),
    };
    this.applyConditions(this.conditions());
    // Replaying a week (604,800 steps) measured 30–60 ms on the dev machine (x86 server, Node 20); a Pi 4
    // is perhaps 5–10× slower (not measured): under a second, once, at start. So it stays exact: coarser
    // steps would drift (Poisson draws, clamps and the generator's thresholds are per second), and
    // identical to the uninterrupted run is the point.
    while (this.s.elapsedSec < startSec) this.step();
    this.recording = true;
  }

  get state(): Readonly<WorldState> {
    return this.s;
  }

  takePassages(): Array<'in' | 'out'> {
    const out = this.passages;
    this.passages = [];
    return out;
  }

  /** Advances the world by one second of simulated time. */
  step(): void {
    this.s.elapsedSec += 1;
    const c = this.conditions();
    this.applyConditions(c);
    this.stepPeople(c);
    this.stepPower();
    this.stepHeat();
  }

  private conditions(): Conditions {
    return this.scenario.at(this.s.elapsedSec % this.scenario.periodSec);
  }

  private applyConditions(c: Conditions): void {
    this.s.mains = c.mains;
    this.s.mainsOffSec = c.mains ? 0 : this.s.mainsOffSec + 1;
    this.s.internetUp = this.s.mainsOffSec < MAST_BACKUP_SEC;
    this.s.outdoorC = c.outdoorC;
  }

  private stepPeople(c: Conditions): void {
    const arrivals = this.rng.poisson(((c.arrivalsPerMin * this.capacity) / 40) * (1 / 60));
    const leaving = this.rng.poisson(this.s.peopleInside / (c.meanStayMin * 60));
    const out = Math.min(leaving, this.s.peopleInside + arrivals);
    if (this.recording) {
      for (let k = 0; k < arrivals; k++) this.passages.push('in');
      for (let k = 0; k < out; k++) this.passages.push('out');
    }
    this.s.peopleInside += arrivals - out;
  }

  private stepPower(): void {
    const s = this.s;
    const loadW = BASE_LOAD_W + LOAD_PER_PERSON_W * s.peopleInside;
    if (s.mains) s.generatorRunning = false;
    else if (!s.generatorRunning && s.socPercent < GENERATOR_START_SOC && s.fuelPercent > 0) {
      s.generatorRunning = true;
    }
    if (s.generatorRunning && s.fuelPercent <= 0) s.generatorRunning = false;
    const supplied = s.mains || s.generatorRunning;
    const chargeA = supplied && s.socPercent < 100 ? CHARGE_A : 0;
    s.batteryCurrentA = supplied ? chargeA : -loadW / NOMINAL_V;
    s.socPercent = clamp(s.socPercent + (s.batteryCurrentA / 3600 / BATTERY_AH) * 100, 0, 100);
    s.batteryVoltage = 11.6 + (s.socPercent / 100) * 1.2 + s.batteryCurrentA * 0.01;
    if (s.generatorRunning) {
      const genW = loadW + chargeA * NOMINAL_V + (s.indoorC < TARGET_INDOOR_C ? 800 : 0);
      s.generatorLoadPercent = Math.min(100, (genW / GENERATOR_RATED_W) * 100);
      const burn = (FUEL_PERCENT_PER_HOUR_AT_FULL_LOAD * (0.3 + 0.7 * (s.generatorLoadPercent / 100))) / 3600;
      s.fuelPercent = Math.max(0, s.fuelPercent - burn);
      s.runHours += 1 / 3600;
    } else {
      s.generatorLoadPercent = 0;
    }
  }

  /** The heater needs grid or generator power; on battery alone the room cools toward the outdoors. */
  private stepHeat(): void {
    const s = this.s;
    const heating = (s.mains || s.generatorRunning) && s.indoorC < TARGET_INDOOR_C;
    const gain = heating ? HEATER_C_PER_HOUR : 0;
    const loss = LOSS_PER_HOUR * (s.indoorC - s.outdoorC);
    s.indoorC += (gain - loss + s.peopleInside * 0.01) / 3600;
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
