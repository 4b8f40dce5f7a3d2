/** Request and event payload schemas (TypeBox), shared by REST routes and socket events. */
import { Type } from 'typebox';
import { ONLINE_STATUSES, SESSION_STATES } from './types.ts';

export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
export const Uuid = Type.String({ pattern: UUID_PATTERN });
/** A session's UUID or its quotable code. */
export const SessionKey = Type.String({ minLength: 1, maxLength: 40 });
export const ClientMsgId = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' });
const Seq = Type.Integer({ minimum: 0, maximum: 2_147_483_647 });
const Limit = Type.Integer({ minimum: 1, maximum: 500 });
const Literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

export const OnlineStatus = Literals(ONLINE_STATUSES);
export const SessionStateSchema = Literals(SESSION_STATES);

export const MessageInput = {
  clientMsgId: ClientMsgId,
  type: Type.String({ pattern: '^[a-z][a-z0-9-]{1,39}$' }),
  body: Type.Record(Type.String(), Type.Unknown()),
};
export const SendBody = Type.Object(MessageInput, { additionalProperties: false });
export const SendEvent = Type.Object({ sessionId: SessionKey, ...MessageInput }, { additionalProperties: false });

export const SyncEvent = Type.Object({ sessionId: SessionKey, afterSeq: Seq, limit: Type.Optional(Limit) }, { additionalProperties: false });
export const MessagesQuery = Type.Object({ after: Type.Optional(Seq), before: Type.Optional(Seq), limit: Type.Optional(Limit) }, { additionalProperties: false });
export const ReadBody = Type.Object({ seq: Seq }, { additionalProperties: false });
export const ReadEvent = Type.Object({ sessionId: SessionKey, seq: Seq }, { additionalProperties: false });
export const TypingEvent = Type.Object({ sessionId: SessionKey, typing: Type.Boolean() }, { additionalProperties: false });
export const SessionEvent = Type.Object({ sessionId: SessionKey }, { additionalProperties: false });
export const StatusEvent = Type.Object({ status: OnlineStatus }, { additionalProperties: false });

export const IdParams = Type.Object({ id: SessionKey });
export const FileParams = Type.Object({ fileId: Type.String({ maxLength: 40 }) });

export const StartSessionBody = Type.Object(
  {
    skillGroupId: Type.Optional(Uuid),
    name: Type.Optional(Type.String({ maxLength: 100 })),
    email: Type.Optional(Type.String({ maxLength: 254 })),
    context: Type.Optional(
      Type.Object(
        {
          pageUrl: Type.Optional(Type.String({ maxLength: 2000 })),
          pageTitle: Type.Optional(Type.String({ maxLength: 300 })),
          referrer: Type.Optional(Type.String({ maxLength: 2000 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const AgentStateBody = Type.Object(
  { status: Type.Optional(OnlineStatus), capacity: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })) },
  { additionalProperties: false, minProperties: 1 },
);

export const TransferBody = Type.Object(
  { toAgentId: Type.Optional(Uuid), toSkillGroupId: Type.Optional(Uuid), note: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);

export const SkillGroupBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 60 }),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    agentIds: Type.Optional(Type.Array(Uuid, { maxItems: 1000 })),
  },
  { additionalProperties: false },
);
export const SkillGroupPatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    agentIds: Type.Optional(Type.Array(Uuid, { maxItems: 1000 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

const HistoryFilterFields = {
  code: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  visitorName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  from: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
  to: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
  agentId: Type.Optional(Uuid),
  skillGroupId: Type.Optional(Uuid),
  state: Type.Optional(Type.Array(SessionStateSchema, { maxItems: 4 })),
};
export const HistoryFilters = Type.Object(HistoryFilterFields, { additionalProperties: false });
export const HistoryQuery = Type.Object(
  {
    ...HistoryFilterFields,
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false },
);
export const MineQuery = Type.Object({ q: Type.Optional(Type.String({ maxLength: 100 })) }, { additionalProperties: false });

export const ExportBody = Type.Object(
  { format: Type.Union([Type.Literal('csv'), Type.Literal('xlsx')]), filters: Type.Optional(HistoryFilters) },
  { additionalProperties: false },
);
