import { describe, expect, it } from 'vitest';
import {
  REDACTION_PLACEHOLDERS as P,
  redactPersonalData,
} from '../../subgraph-kit/redactPersonalData.js';

describe('redactPersonalData', () => {
  it.each([
    [
      'Feu en panne, rappelez-moi au 06 12 34 56 78 svp',
      `Feu en panne, rappelez-moi au ${P.PHONE} svp`,
      ['PHONE'],
    ],
    ['Contact : +33 4 91 55 11 11.', `Contact : ${P.PHONE}.`, ['PHONE']],
    [
      'tel 0612345678 ou 06.98.76.54.32',
      `tel ${P.PHONE} ou ${P.PHONE}`,
      ['PHONE'],
    ],
    [
      'Écrivez à jean.dupont+mairie@exemple.fr pour le suivi',
      `Écrivez à ${P.EMAIL} pour le suivi`,
      ['EMAIL'],
    ],
    [
      'La voiture AB-123-CD bloque le trottoir, AB 123 CD aussi',
      `La voiture ${P.LICENCE_PLATE} bloque le trottoir, ${P.LICENCE_PLATE} aussi`,
      ['LICENCE_PLATE'],
    ],
    [
      'Épave immatriculée 1234 AB 13 depuis un mois',
      `Épave immatriculée ${P.LICENCE_PLATE} depuis un mois`,
      ['LICENCE_PLATE'],
    ],
    [
      'Voiture ab123cd, mail a@b.fr, tel 0491551111',
      `Voiture ${P.LICENCE_PLATE}, mail ${P.EMAIL}, tel ${P.PHONE}`,
      ['EMAIL', 'PHONE', 'LICENCE_PLATE'],
    ],
  ])('redacts %j', (text, redacted, kinds) => {
    expect(redactPersonalData(text)).toEqual({ text: redacted, kinds });
  });

  it.each([
    'Nid de poule devant le 12 rue de la République, 13001, depuis le 13/04/2024',
    'Le feu du boulevard Michelet reste rouge 3 minutes à 8 h 15',
    'Fuite sur la canalisation, environ 200 litres par heure',
    'Ligne 21 en retard de 15 minutes, arrêt 1234',
    'Trottoir défoncé devant le 123 de la rue Paradis',
  ])('leaves ordinary text alone: %j', (text) => {
    expect(redactPersonalData(text)).toEqual({ text, kinds: [] });
  });

  it('changes nothing when run again on its own output', () => {
    const once = redactPersonalData(
      'Appelez le 06 12 34 56 78 ou écrivez à x@y.fr, voiture AA-001-AA',
    );
    expect(redactPersonalData(once.text)).toEqual({
      text: once.text,
      kinds: [],
    });
  });
});
