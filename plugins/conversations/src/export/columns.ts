/** The columns of a session export: one row per session, the session ID first. */
import type { SessionRecord } from '../types.ts';

export const HEADERS = ['Session ID', 'State', 'Visitor', 'Visitor email', 'Skill group', 'Agent', 'Channel', 'Created', 'Assigned', 'Closed', 'Messages'];

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : '');

export function exportRow(s: SessionRecord): Array<string | number> {
  return [
    s.code, s.state, s.visitor_name ?? '', s.visitor_email ?? '', s.skill_group_name, s.agent_name ?? '', s.channel_kind,
    iso(s.created_at), iso(s.assigned_at), iso(s.closed_at), s.message_count,
  ];
}
