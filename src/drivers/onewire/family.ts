/**
 * Which maker's chip a DS18B20 is, from its scratchpad and ROM id, as documented by Chris Petrich's
 * survey of counterfeit DS18B20s (github.com/cpetrich/counterfeit_DS18B20, families A–E). Pure.
 *
 * Only the datasheet layout (byte 5 = 0xFF, byte 7 = 0x10) is a Maxim part or a close clone (A, B, C);
 * family D writes 0x66 into byte 7 (D2 also 0x81/0x7E into bytes 6/5), family E 0xFF into bytes 6 and 7.
 * Those chips measure (with worse accuracy and noise), so their readings are taken on their CRC and the
 * physical range; the family is reported so a technician knows what is on the wire.
 */
export type Ds18b20Family = 'A' | 'B1' | 'B2' | 'B' | 'C' | 'D1' | 'D2' | 'E' | 'unknown';

export interface FamilyVerdict {
  family: Ds18b20Family;
  /** For the health message and the event: what the family is and what it means for the readings. */
  description: string;
  /** Not an authentic Maxim part (a clone or counterfeit), or a layout no survey lists. */
  counterfeit: boolean;
}

const DESCRIPTIONS: Readonly<Record<Ds18b20Family, string>> = {
  A: 'family A (authentic Maxim DS18B20)',
  B1: 'family B1 (clone, datasheet layout; offset as the datasheet curve)',
  B2: 'family B2 (clone, datasheet layout; about -0.5 °C at 0 °C)',
  B: 'family B (clone, datasheet layout)',
  C: 'family C (clone, datasheet layout; EEPROM endures few writes)',
  D1: 'family D1 (counterfeit: byte 7 = 0x66; errors up to 3 °C, noisy, no parasitic power)',
  D2: 'family D2 (counterfeit: byte 7 = 0x66, no EEPROM; errors up to 3 °C, very noisy, no parasitic power)',
  E: 'family E (counterfeit: bytes 6/7 = 0xFF, no EEPROM)',
  unknown: 'an unknown scratchpad layout (no documented DS18B20 family)',
};

/** ROM bytes 1..6 (serial, least significant first) from a Linux w1 id such as 28-0316a2795aff. */
function romSerial(id: string): number[] | undefined {
  const m = /^[0-9a-f]{2}-([0-9a-f]{12})$/i.exec(id);
  if (!m?.[1]) return undefined;
  const hex = m[1];
  // the kernel prints the 48-bit serial most significant byte first: ROM[6] … ROM[1]
  return Array.from({ length: 6 }, (_, i) => Number.parseInt(hex.slice(10 - 2 * i, 12 - 2 * i), 16));
}

/** Classifies a DS18B20 (1-Wire family 28) from the 9 scratchpad bytes and its w1 id. */
export function classifyDs18b20(scratchpad: readonly number[], id: string): FamilyVerdict {
  const [b0 = 0, , , , config = 0, b5 = 0, b6 = 0, b7 = 0] = scratchpad;
  const rom = romSerial(id);
  let family: Ds18b20Family;
  if (b7 === 0x66) family = b6 === 0x81 && b5 === 0x7e ? 'D2' : 'D1';
  else if (b7 === 0xff && b6 === 0xff) family = 'E';
  else if (b5 === 0xff && b7 === 0x10) {
    // Maxim's parts keep (byte 0 + byte 6) & 0x0F == 0 after every 12-bit conversion, with 0 < byte 6 ≤ 0x10
    const maximRule = (config & 0x60) !== 0x60 || ((b0 + b6) & 0x0f) === 0;
    if (maximRule && b6 > 0 && b6 <= 0x10 && (rom === undefined || (rom[4] === 0 && rom[5] === 0)))
      family = 'A';
    else if (rom?.[1] === 0x64) family = 'C';
    else if (rom?.[0] === 0xaa) family = 'B1';
    else if (rom?.[0] === 0xff) family = 'B2';
    else family = 'B';
  } else family = 'unknown';
  return { family, description: DESCRIPTIONS[family], counterfeit: family !== 'A' };
}
