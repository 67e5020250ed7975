"""Stage roles: give a member the role of their new stage and take the other stage roles away.

Discord lets a bot change only roles below its own highest role, and only with Manage Roles (else 403 code
50013). Both are checked before trying, from what the interaction carries (the bot's permissions in the
channel, the member with their roles) and the cached server roles, so a member hears at once which role and
why; a 403 that gets through anyway (a stale cache) is caught and reported too. The bot runs without the
members intent, so the interaction's Member object is the only copy of the member's roles it has.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import discord

NO_MANAGE_ROLES = "I need the **Manage Roles** permission to give stage roles."


@dataclass
class RoleOutcome:
    """What the member reads about their roles, and the problem moderators should hear of (if any)."""

    lines: list[str] = field(default_factory=list)
    problem: str | None = None


@dataclass
class RolePlan:
    """The role calls to make after the reply, and what to tell the member now."""

    add: list[discord.Role] = field(default_factory=list)
    remove: list[discord.Role] = field(default_factory=list)
    outcome: RoleOutcome = field(default_factory=RoleOutcome)


def plan_stage_roles(
    member: discord.Member, stage: str, mapping: dict[str, int], app_permissions: discord.Permissions
) -> RolePlan:
    """Decide which stage roles to add and remove, refusing up front what Discord would refuse."""
    plan = RolePlan()
    if not mapping:
        return plan
    guild = member.guild
    wanted = mapping.get(stage)
    problems: list[str] = []
    for stage_id, role_id in mapping.items():
        role = guild.get_role(role_id)
        if role is None:
            if stage_id == stage:
                problems.append("the role for this stage no longer exists.")
            continue
        has = member.get_role(role_id) is not None
        if role_id == wanted and not has and role not in plan.add:
            plan.add.append(role)
        elif role_id != wanted and has and role not in plan.remove:
            plan.remove.append(role)
    changes = plan.add + plan.remove
    me: discord.Member | None = guild.me  # the bot's own member, from GUILD_CREATE (None if not cached)
    if changes and not (app_permissions.manage_roles or (me and me.guild_permissions.manage_roles)):
        problems.append(NO_MANAGE_ROLES)
        plan.add, plan.remove = [], []
    else:
        blocked = [r for r in changes if r.managed or (me is not None and r >= me.top_role)]
        if blocked:
            names = ", ".join(r.mention for r in blocked)
            problems.append(f"{names} is above my highest role, so I can't change it.")
            plan.add = [r for r in plan.add if r not in blocked]
            plan.remove = [r for r in plan.remove if r not in blocked]
    if plan.add:
        plan.outcome.lines.append("Added " + ", ".join(r.mention for r in plan.add))
    if plan.remove:
        plan.outcome.lines.append("Removed " + ", ".join(r.mention for r in plan.remove))
    if problems:
        plan.outcome.problem = " ".join(problems)
        plan.outcome.lines.append(
            f"Your stage is saved, but I couldn't update your roles: {plan.outcome.problem} "
            "A moderator can fix this."
        )
    return plan


async def apply_stage_roles(member: discord.Member, plan: RolePlan, *, reason: str) -> str | None:
    """Make the planned role calls; return a member-facing problem if Discord refused one."""
    try:
        if plan.add:
            await member.add_roles(*plan.add, reason=reason)
        if plan.remove:
            await member.remove_roles(*plan.remove, reason=reason)
    except discord.Forbidden:
        return "Discord refused the change (missing Manage Roles, or a stage role above mine)."
    except discord.HTTPException as error:
        return f"Discord answered {error.status} to the role change."
    return None
