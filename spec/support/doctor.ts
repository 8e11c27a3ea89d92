/**
 * Reading a diagnose() result in the doctor specs: one check by id, and what it must say.
 */
import { expect } from 'vitest';
import type { CheckId, CheckStatus, Diagnosis, DoctorCheck } from '../../lib/doctor/index.js';

/** The check `id` of a diagnosis (a clear error when it is missing). */
export function pick(diagnosis: Diagnosis, id: CheckId): DoctorCheck {
  const check = diagnosis.checks.find((c) => c.id === id);
  if (!check) throw new Error(`no check ${id} in ${diagnosis.checks.map((c) => c.id).join(', ')}`);
  return check;
}

/** The check `id` has `status`, a message matching `message`, and (unless ok) a hint matching `hint`. */
export function expectCheck(diagnosis: Diagnosis, id: CheckId, status: CheckStatus, message?: RegExp, hint?: RegExp): DoctorCheck {
  const check = pick(diagnosis, id);
  expect({ id, status: check.status, message: check.message }).toMatchObject({ id, status });
  if (message) expect(check.message).toMatch(message);
  if (status !== 'ok') expect(check.hint.length, `${id} has a hint`).toBeGreaterThan(10);
  if (hint) expect(check.hint).toMatch(hint);
  return check;
}
