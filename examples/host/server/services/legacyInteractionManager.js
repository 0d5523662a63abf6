// The unfixed legacy manager, written from the contract's description, kept only to compare
// against in the demo and the end-to-end test. Its defects are deliberate: no timeout, pending
// interactions without a session can never be removed, the sweep only prunes empty index entries.
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';

export class InteractionManager extends EventEmitter {
  constructor() {
    super();
    this.pendingInteractions = new Map();
    this.interactionsBySession = new Map();
    this.statistics = {};
    this.cleanupInterval = setInterval(() => this.cleanupStaleInteractions(), 5 * 60 * 1000);
  }

  async requestInteraction({ type, sessionId, data, metadata = {} }) {
    const id = randomUUID();
    const requestedAt = Date.now();
    if (sessionId && (this.interactionsBySession.get(sessionId)?.size ?? 0) >= 100) {
      throw new Error(`Too many pending interactions for session ${sessionId}`);
    }
    return new Promise((resolve, reject) => {
      this.pendingInteractions.set(id, { id, type, sessionId, data, metadata, requestedAt, status: 'pending', resolve, reject });
      if (sessionId) {
        if (!this.interactionsBySession.has(sessionId)) this.interactionsBySession.set(sessionId, new Set());
        this.interactionsBySession.get(sessionId).add(id);
      }
      this.statistics[type] ??= { total: 0, resolved: 0, rejected: 0 };
      this.statistics[type].total++;
      this.emit('interaction-request', { id, type, sessionId, data, metadata, requestedAt });
    });
  }

  #drop(interaction) {
    this.pendingInteractions.delete(interaction.id);
    const ids = this.interactionsBySession.get(interaction.sessionId);
    if (ids) {
      ids.delete(interaction.id);
      if (ids.size === 0) this.interactionsBySession.delete(interaction.sessionId);
    }
  }

  resolveInteraction(interactionId, response, requestingSessionId) {
    const interaction = this.pendingInteractions.get(interactionId);
    if (!interaction || interaction.status !== 'pending') {
      console.warn(`Interaction ${interactionId} not found or already decided`);
      return { success: false, error: 'invalid_or_decided' };
    }
    if (requestingSessionId && interaction.sessionId !== requestingSessionId) return { success: false, error: 'SESSION_MISMATCH' };
    interaction.status = 'resolved';
    this.statistics[interaction.type].resolved++;
    this.#drop(interaction);
    interaction.resolve(response);
    this.emit('interaction-resolved', { interactionId, sessionId: interaction.sessionId, resolvedAt: Date.now() });
    return { success: true };
  }

  rejectInteraction(interactionId, reason = 'Interaction rejected') {
    const interaction = this.pendingInteractions.get(interactionId);
    if (!interaction || interaction.status !== 'pending') return { success: false, error: 'invalid_or_decided' };
    interaction.status = 'rejected';
    this.statistics[interaction.type].rejected++;
    this.#drop(interaction);
    interaction.reject(new Error(reason));
    return { success: true };
  }

  getPendingInteractions(sessionIds, type = null) {
    const out = [];
    for (const sessionId of sessionIds) {
      for (const id of this.interactionsBySession.get(sessionId) ?? []) {
        const i = this.pendingInteractions.get(id);
        if (i && (!type || i.type === type)) out.push({ id, type: i.type, sessionId: i.sessionId, data: i.data, metadata: i.metadata, requestedAt: i.requestedAt });
      }
    }
    return out;
  }

  cleanupStaleInteractions() {
    for (const [sessionId, ids] of this.interactionsBySession) if (ids.size === 0) this.interactionsBySession.delete(sessionId);
  }

  removeSession(sessionId) {
    if (!sessionId) return;
    for (const id of [...(this.interactionsBySession.get(sessionId) ?? [])]) this.rejectInteraction(id, 'Session removed');
    this.interactionsBySession.delete(sessionId);
  }

  getPendingCount() {
    return this.pendingInteractions.size;
  }

  getStatistics() {
    return { ...this.statistics, pendingCount: this.pendingInteractions.size, sessionCount: this.interactionsBySession.size };
  }

  shutdown() {
    clearInterval(this.cleanupInterval);
    for (const i of this.pendingInteractions.values()) i.reject(new Error('InteractionManager shutting down'));
    this.pendingInteractions.clear();
    this.interactionsBySession.clear();
  }
}
