import { generateKeyPairSync } from 'node:crypto';
import { exportJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  DeviceClaimError,
  deviceKeysFrom,
  deviceOfEntity,
  signDeviceMessage,
  verifyDeviceMessage,
} from '../../ingest/deviceClaim.js';

const device = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const keys = deviceKeysFrom({
  keys: [
    { ...(await exportJWK(device.publicKey)), kid: 'mob-ts-13201-01' },
    { ...(await exportJWK(other.publicKey)), kid: 'mob-ts-13201-02' },
  ],
});
const reading = {
  id: 'urn:ngsi-ld:TrafficFlowObserved:x',
  type: 'TrafficFlowObserved',
  refDevice: {
    type: 'Relationship',
    object: 'urn:ngsi-ld:Device:mob-ts-13201-01',
  },
};

describe('verifyDeviceMessage', () => {
  it('accepts a message signed by the device of its topic', async () => {
    const jws = await signDeviceMessage(
      device.privateKey,
      'mob-ts-13201-01',
      reading,
    );
    expect(await verifyDeviceMessage(keys, 'mob-ts-13201-01', jws)).toEqual({
      deviceId: 'mob-ts-13201-01',
      entities: [reading],
    });
  });

  it('refuses a message signed with another key than its kid', async () => {
    const forged = await signDeviceMessage(
      other.privateKey,
      'mob-ts-13201-01',
      reading,
    );
    await expect(
      verifyDeviceMessage(keys, 'mob-ts-13201-01', forged),
    ).rejects.toThrow(DeviceClaimError);
  });

  it('refuses a message signed as another device than the topic', async () => {
    const jws = await signDeviceMessage(
      other.privateKey,
      'mob-ts-13201-02',
      reading,
    );
    await expect(
      verifyDeviceMessage(keys, 'mob-ts-13201-01', jws),
    ).rejects.toThrow(/topic of mob-ts-13201-01/);
  });

  it('refuses an unknown device and a payload that is not a JWS', async () => {
    const jws = await signDeviceMessage(
      device.privateKey,
      'mob-ts-99999-01',
      reading,
    );
    await expect(
      verifyDeviceMessage(keys, 'mob-ts-99999-01', jws),
    ).rejects.toThrow(/No key is registered/);
    await expect(
      verifyDeviceMessage(keys, 'mob-ts-13201-01', JSON.stringify(reading)),
    ).rejects.toThrow(/not a JWS/);
  });
});

describe('deviceOfEntity', () => {
  it('reads refDevice in normalized and concise forms, else the entity id', () => {
    expect(deviceOfEntity(reading)).toBe('mob-ts-13201-01');
    expect(
      deviceOfEntity({ ...reading, refDevice: 'urn:ngsi-ld:Device:env-aq-1' }),
    ).toBe('env-aq-1');
    expect(
      deviceOfEntity({
        id: 'urn:ngsi-ld:BikeHireDockingStation:mob-bk-13201-1',
        type: 'BikeHireDockingStation',
      }),
    ).toBe('mob-bk-13201-1');
    expect(deviceOfEntity('not an entity')).toBeNull();
  });
});
