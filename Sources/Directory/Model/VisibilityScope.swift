/// What the members of a department may see (权限选择, DESIGN §2).
public enum VisibilityScope: String, Sendable, Hashable, CaseIterable {
    /// 所有人: the whole directory.
    case all
    /// 仅本部门: the whole subtree of the department that carries the setting.
    case department
    /// 仅子部门: only the subtree of the department the member is directly in.
    case subdepartment
    /// The nearest ancestor's setting; top-level departments behave as `all`.
    case inherit
}
