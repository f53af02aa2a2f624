import mongoose, { Schema, Types, type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalDb } from '../src/index.js';
import { startTestDb } from './startTestDb.js';

const lineSchema = new Schema({
  code: {
    type: String,
    required: true,
    unique: true,
    match: /^[A-Z][0-9A-Z]*$/,
  },
  mode: { type: String, required: true, enum: ['metro', 'tram', 'bus'] },
  stops: { type: Number, min: 0, default: 0 },
});

const stopSchema = new Schema(
  {
    name: { type: String, required: true },
    line: { type: Schema.Types.ObjectId, ref: 'Line', required: true },
    accessible: { type: Boolean, default: false },
    riders: { type: Number, default: 0 },
  },
  { timestamps: true },
);

describe('localdb through mongoose', () => {
  let server: LocalDb;
  let conn: Connection;

  beforeAll(async () => {
    server = await startTestDb();
    conn = await mongoose
      .createConnection(server.uri, {
        dbName: 'mobility',
        serverSelectionTimeoutMS: 5000,
      })
      .asPromise();
  });

  afterAll(async () => {
    await conn.close();
    await server.stop();
  });

  function models() {
    const Line = conn.models['Line'] ?? conn.model('Line', lineSchema);
    const Stop = conn.models['Stop'] ?? conn.model('Stop', stopSchema);
    return {
      Line: Line as mongoose.Model<mongoose.InferSchemaType<typeof lineSchema>>,
      Stop: Stop as mongoose.Model<mongoose.InferSchemaType<typeof stopSchema>>,
    };
  }

  it('builds the schema indexes, unique ones included', async () => {
    const { Line, Stop } = models();
    await Line.init();
    await Stop.init();
    const indexes = await Line.listIndexes();
    expect(indexes.map((i) => i['name'])).toEqual(['_id_', 'code_1']);
    expect(indexes[1]).toMatchObject({ unique: true, key: { code: 1 } });
  });

  it('saves valid documents and rejects invalid ones before they reach the server', async () => {
    const { Line } = models();
    const m1 = await Line.create({ code: 'M1', mode: 'metro' });
    expect(m1._id).toBeInstanceOf(Types.ObjectId);
    await expect(
      Line.create({ code: 'bad code', mode: 'boat' as 'bus' }),
    ).rejects.toBeInstanceOf(mongoose.Error.ValidationError);
    expect(await Line.countDocuments()).toBe(1);
  });

  it('raises the duplicate-key error mongoose users expect', async () => {
    const { Line } = models();
    await Line.create({ code: 'T2', mode: 'tram' });
    const err = await Line.create({ code: 'T2', mode: 'bus' }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({
      name: 'MongoServerError',
      code: 11000,
      keyPattern: { code: 1 },
      keyValue: { code: 'T2' },
    });
    const bulk = await Line.insertMany(
      [
        { code: 'B1', mode: 'bus' },
        { code: 'T2', mode: 'bus' },
      ],
      { ordered: false },
    ).catch((e: unknown) => e);
    expect(bulk).toMatchObject({ code: 11000 });
    expect(await Line.exists({ code: 'B1' })).not.toBeNull();
  });

  it('populates references, with and without lean', async () => {
    const { Line, Stop } = models();
    const m2 = await Line.create({ code: 'M2', mode: 'metro' });
    await Stop.insertMany([
      { name: 'Noailles', line: m2._id, accessible: true },
      { name: 'Castellane', line: m2._id },
    ]);
    const stop = await Stop.findOne({ name: 'Noailles' }).populate('line');
    expect(stop?.line).toMatchObject({ code: 'M2', mode: 'metro' });
    const lean = await Stop.find({ line: m2._id })
      .sort({ name: 1 })
      .populate('line')
      .lean();
    expect(lean.map((s) => s.name)).toEqual(['Castellane', 'Noailles']);
    expect(lean[0]?.line).toMatchObject({ code: 'M2' });
    expect(lean[0]?.createdAt).toBeInstanceOf(Date);
  });

  it('answers countDocuments and estimatedDocumentCount', async () => {
    const { Stop } = models();
    expect(await Stop.countDocuments({ accessible: true })).toBe(1);
    expect(await Stop.estimatedDocumentCount()).toBe(2);
  });

  it('runs findOneAndUpdate with upsert and returns the new document', async () => {
    const { Line } = models();
    const created = await Line.findOneAndUpdate(
      { code: 'M3' },
      { $set: { mode: 'metro' }, $inc: { stops: 3 } },
      { upsert: true, returnDocument: 'after', runValidators: true },
    );
    expect(created).toMatchObject({ code: 'M3', mode: 'metro', stops: 3 });
    const updated = await Line.findOneAndUpdate(
      { code: 'M3' },
      { $inc: { stops: 1 } },
      { returnDocument: 'after' },
    ).lean();
    expect(updated?.stops).toBe(4);
    const dup = await Line.findOneAndUpdate(
      { code: 'M3' },
      { $set: { code: 'M1' } },
    ).catch((e: unknown) => e);
    expect(dup).toMatchObject({ code: 11000 });
  });

  it('runs bulkWrite', async () => {
    const { Stop, Line } = models();
    const line = await Line.findOne({ code: 'M1' }).orFail();
    const result = await Stop.bulkWrite([
      { insertOne: { document: { name: 'Vieux-Port', line: line._id } } },
      {
        updateMany: {
          filter: { line: line._id },
          update: { $set: { accessible: true } },
        },
      },
      {
        updateOne: {
          filter: { name: 'Joliette' },
          update: { $set: { line: line._id } },
          upsert: true,
        },
      },
      { deleteOne: { filter: { name: 'Castellane' } } },
    ]);
    expect(result.insertedCount).toBe(1);
    expect(result.upsertedCount).toBe(1);
    expect(result.deletedCount).toBe(1);
    expect(
      await Stop.countDocuments({ line: line._id, accessible: true }),
    ).toBe(1);
  });

  it('iterates a query cursor across several batches', async () => {
    const { Stop, Line } = models();
    const line = await Line.create({ code: 'B52', mode: 'bus' });
    await Stop.insertMany(
      Array.from({ length: 230 }, (_, i) => ({
        name: `stop-${i}`,
        line: line._id,
        riders: i,
      })),
    );
    let seen = 0;
    let riders = 0;
    for await (const stop of Stop.find({ line: line._id })
      .batchSize(40)
      .cursor()) {
      seen += 1;
      riders += stop.riders ?? 0;
    }
    expect(seen).toBe(230);
    expect(riders).toBe((229 * 230) / 2);
  });

  it('aggregates with $lookup and $group', async () => {
    const { Stop } = models();
    const perLine = await Stop.aggregate<{ _id: string; stops: number }>([
      {
        $lookup: {
          from: 'lines',
          localField: 'line',
          foreignField: '_id',
          as: 'l',
        },
      },
      { $unwind: '$l' },
      { $group: { _id: '$l.code', stops: { $sum: 1 } } },
      { $sort: { stops: -1, _id: 1 } },
    ]);
    expect(perLine[0]).toEqual({ _id: 'B52', stops: 230 });
    expect(perLine.map((r) => r._id).sort()).toEqual(['B52', 'M1', 'M2']);
  });

  it('updates, deletes and reads back with lean', async () => {
    const { Stop } = models();
    const r = await Stop.updateMany(
      { riders: { $gte: 200 } },
      { $inc: { riders: 1000 } },
    );
    expect(r.modifiedCount).toBe(30);
    const top = await Stop.findOne()
      .sort({ riders: -1 })
      .select('name riders -_id')
      .lean();
    expect(top).toEqual({ name: 'stop-229', riders: 1229 });
    const del = await Stop.deleteMany({ riders: { $gte: 1000 } });
    expect(del.deletedCount).toBe(30);
  });
});
