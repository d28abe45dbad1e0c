// Geohash arithmetic: encoding and decoding as Redis (known positions), the exact printf
// formats, and the correctly rounded sin/cos/asin against values computed with 300-bit
// arithmetic (mpmath).

import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cellScore,
  crAsin,
  crCos,
  crSin,
  decodeScore,
  distance,
  encodeCell,
  estimateSteps,
  formatFixed,
  formatHuman,
  GEO_STEP_MAX,
  geohashString,
  scoreToCell,
  searchCells,
} from '../../src/store/geohash';

describe('geohash', () => {
  it('encodes and decodes known positions as Redis 7.0', () => {
    const palermo = encodeCell(13.361389, 38.115556, GEO_STEP_MAX);
    assert.ok(palermo !== null);
    const s = cellScore(palermo);
    assert.equal(s, 3479099956230698);
    const [lon, lat] = decodeScore(s);
    assert.equal(formatHuman(lon), '13.36138933897018433');
    assert.equal(formatHuman(lat), '38.11555639549629859');
    assert.equal(geohashString(s), 'sqc8b49rny0');
    const catania = cellScore(encodeCell(15.087269, 37.502669, GEO_STEP_MAX) as NonNullable<typeof palermo>);
    assert.equal(catania, 3479447370796909);
    const [lon2, lat2] = decodeScore(catania);
    assert.equal(formatFixed(distance(lon, lat, lon2, lat2) / 1000, 4), '166.2742');
  });

  it('rejects coordinates outside the Mercator band', () => {
    assert.equal(encodeCell(180.0001, 0, 26), null);
    assert.equal(encodeCell(0, 85.05112879, 26), null);
    assert.notEqual(encodeCell(-180, -85.05112878, 26), null);
  });

  it('scores round-trip through cells', () => {
    for (let i = 0; i < 1000; i++) {
      const lon = ((i * 7919) % 36000) / 100 - 180;
      const lat = ((i * 104729) % 17000) / 100 - 85;
      const cell = encodeCell(lon, lat, 26);
      assert.ok(cell !== null);
      assert.deepEqual(scoreToCell(cellScore(cell)), cell);
      const [dlon, dlat] = decodeScore(cellScore(cell));
      assert.ok(Math.abs(dlon - lon) < 1e-5 && Math.abs(dlat - lat) < 1e-5);
    }
  });

  it('search steps and cells', () => {
    assert.equal(estimateSteps(0, 0), 26);
    assert.equal(estimateSteps(1000, 0), 14);
    assert.equal(estimateSteps(1000, 70), 13);
    assert.equal(estimateSteps(1000, -85), 12);
    assert.equal(estimateSteps(1e9, 0), 1);
    const cells = searchCells({ lon: 15, lat: 37, conversion: 1000, radius: 200 });
    assert.equal(cells.length, 9);
    assert.ok(cells[0].step > 0);
  });
});

describe('number formatting', () => {
  it('%.Nf exactly as glibc printf', () => {
    const cases: [number, number, string][] = [
      [0.125, 2, '0.12'],
      [2.5, 0, '2'],
      [3.5, 0, '4'],
      [1e21, 2, '1000000000000000000000.00'],
      [-1e-5, 4, '-0.0000'],
      [0.1, 20, '0.10000000000000000555'],
      [123456.78905, 4, '123456.7891'],
      [5e-324, 17, '0.00000000000000000'],
      [-0, 3, '-0.000'],
      [0.3, 17, '0.29999999999999999'],
      [1.1444091796875e-5, 17, '0.00001144409179688'],
      [-85.05112878, 6, '-85.051129'],
      [Infinity, 4, 'inf'],
    ];
    for (const [v, n, want] of cases) assert.equal(formatFixed(v, n), want, `${v} %.${n}f`);
    assert.equal(formatFixed(1.7976931348623157e308, 1).length, 311);
  });

  it('human long double text', () => {
    assert.equal(formatHuman(1.5), '1.5');
    assert.equal(formatHuman(-0), '0');
    assert.equal(formatHuman(2), '2');
    assert.equal(formatHuman(-1e-20), '0');
  });
});

describe('correctly rounded trigonometry', () => {
  // [x, sin x, cos x, y, asin y], each rounded once from a 300-bit evaluation
  const ref: number[][] = [
    [-9.524089298036274e-5, -9.524089283637711e-5, 0.9999999954645862, 0.559772386080496, 0.5941110929119419],
    [2.630105620947122, 0.4894745062313979, -0.8720176074767809, 0.4656500700997733, 0.48436903765096434],
    [0.04861589298608093, 0.04859674459764941, 0.9988184802127515, 0.587384828849897, 0.6278236690637445],
    [
      -0.0006306793122902467, -0.0006306792704807926, 0.9999998011218091, 0.5119086390418055,
      0.5374051513551569,
    ],
    [0.8052728653441719, 0.7210197421975438, 0.6929145195198232, 0.7929768725199526, 0.9156796903187909],
    [-2.5164345713788454, -0.5852254644720706, -0.810870615902099, 0.3034012626245255, 0.30826015485352287],
    [-0.0008186589250163212, -0.00081865883357179, 0.999999664898801, 0.8096445343671775, 0.9435462166689695],
    [1.1993185917556821, 0.9317919560441623, 0.36299276942026537, 0.041880336369846005, 0.04189258880004817],
    [2.989599208952425, 0.1514088946509205, -0.9884712168902979, 0.9647577811255668, 1.3045213226518246],
    [
      0.000307845067067681, 0.00030784506220534076, 0.9999999526157077, 0.6155627045785708,
      0.6630997800169733,
    ],
    [-2.123536610130993, -0.8510890118822181, -0.5250214222804149, 0.01500073694960491, 0.015001299589490561],
    [0.17596385025696826, 0.1750571855003443, 0.9845582673487121, 0.05955110516885498, 0.059586359477910536],
    [
      -0.0006195834744041418, -0.0006195834347628116, 0.9999998080581652, 0.24194301366521476,
      0.24436785990443935,
    ],
    [-2.913487946806311, -0.22613173186333946, -0.9740967302298508, 0.4639344612232845, 0.48243141501591125],
    [-0.36870707672872793, -0.36040970233194475, 0.9327941072203442, 0.842427128518532, 1.0017720921067168],
    [
      3.8248229528153486e-5, 3.8248229518827755e-5, 0.9999999992685364, 0.6402917079191771,
      0.6948779683715293,
    ],
    [
      -0.0014064563178917133, -0.0014064558542020106, 0.9999990109404759, 0.6624495318903681,
      0.7240839903959273,
    ],
    [-0.26455473408274255, -0.261479519402788, 0.9652090244775413, 0.27816289966388585, 0.2818809956082444],
    [0.0009953124009261685, 0.0009953122365923398, 0.9999995046766532, 0.9956916416561992, 1.477936695505254],
    [2.109336406855743, 0.8584583644373456, -0.5128832581860687, 0.7078096214979495, 0.7863926243381685],
    [-1.1452812545035906, -0.9108262371045769, 0.41278997783608695, 0.22966590160790556, 0.2317343946760134],
    [
      -0.0004219201053715958, -0.0004219200928534672, 0.9999999109917137, 0.0702234995599259,
      0.07028134400563797,
    ],
    [1.6509848957445237, 0.9967866191505457, -0.08010265839798938, 0.40039980491849103, 0.4119531105431109],
    [2.148818455663308, 0.8375449338228507, -0.5463684506152205, 0.3865135317059345, 0.3968483288547491],
  ];
  it('sin, cos and asin match the correctly rounded values', () => {
    for (const [x, s, c, y, a] of ref) {
      assert.equal(crSin(x), s, `sin ${x}`);
      assert.equal(crCos(x), c, `cos ${x}`);
      assert.equal(crAsin(y), a, `asin ${y}`);
    }
  });

  it('edge values', () => {
    assert.ok(Object.is(crSin(0), 0));
    assert.ok(Object.is(crSin(-0), -0));
    assert.equal(crCos(0), 1);
    assert.equal(crAsin(1), Math.PI / 2);
    assert.equal(crAsin(-1), -Math.PI / 2);
    assert.ok(Number.isNaN(crAsin(1.0000000000000002)));
    assert.equal(crSin(Math.PI / 2), 1);
    assert.equal(crCos(Math.PI), -1);
  });
});
