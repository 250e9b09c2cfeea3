/// Every word the web console shows, by meaning; each language's table gives its text.
public enum Word: String, Sendable, Hashable, CaseIterable {
    // Layout
    case appName, addressBook, organization, me, signOut, signIn, language, switchLanguage
    // Sign-in
    case account, accountHint, password, signInFailed, signInBusy, signedOut, sessionExpired
    // Address book
    case search, searchHint, noResults, results, azIndex, departments, members, headCount, directCount
    case leader, title, call, mail, saveContact, qrCode, qrHint, back, people, pinned
    // Profile
    case myProfile, save, saved, changePassword, oldPassword, newPassword, repeatPassword, passwordChanged
    case passwordsDiffer, oldPasswordWrong, notEditable, noEditableFields, solar, lunar
    // Admin console (shell)
    case adminConsole, adminDepartments, adminMembers, adminSearch, adminInterchange, adminFields, adminGroups
    case adminAdministrators, adminAudit
    // Admin: organisation
    case orgTree, orgDirect, orgSubtree, orgOrder, orgScope, orgHidden, orgLeaders, orgOtherLeaders, orgName, orgEdit
    case orgSettings, orgAddChild, orgMove, orgMoveTo, orgDelete, orgDeleteHint, orgScopeAll, orgScopeDepartment
    case orgScopeSubdepartment, orgScopeInherit, orgTheOrganization, orgMembersLink, orgCreated, orgDeleted, orgMoved
    case orgMemberList, orgAddMember, orgMemberFields, orgMemberDepartments, orgPrimaryFirst, orgInitialPassword
    case orgResetPassword, orgStatus, orgActive, orgDeparted, orgDepart, orgDepartedNotice, orgReinstate
    case orgReinstatePrevious, orgReinstatedNotice, orgErase, orgEraseWarning, orgEraseTypeAccount, orgErased
    case orgAccountMismatch, orgPasswordReset, orgBatchMove, orgBatchTarget, orgBatchMoved, orgBatchRefused
    case orgNoneSelected, orgPrevious, orgNext, orgPageOf, orgFilter, orgAll, orgAny, orgSearchText
    case orgBirthdayMonth, orgHiredFrom, orgHiredTo, orgMatches, orgYes, orgNo, orgSelectAll, orgNoSuchMember
    // Admin: operations
    case importTitle, downloadTemplate, importFile, importUpdate, importDryRun, importPlaceholder, importRun, importNoFile
    case importReport, importRow, importReason, importDone, importDryRunDone, importCreated, importUpdated, importUnchanged
    case importErrors, importDepartments, exportTitle, exportFormat, exportRun, fieldName, fieldShown, fieldSelfEditable
    case fieldsHint, groupName, groupDescription, groupMembers, groupCreate, groupAddMembers, groupRemoveMember, groupDelete
    case groupDeleted, adminName, adminRole, adminScopes, adminScopesHint, adminAttributes, adminAttributesHint, adminMember
    case adminCreate, adminRemove, adminRemoved, adminResetPassword, roleSuperAdmin, roleSubAdmin, roleService, auditSince
    case auditUntil, auditAccount, auditKind, auditAllKinds, auditWrites, auditBinds, auditTime, auditActor
    case auditSource, auditAction, auditTarget, auditChanges, auditPrevious, auditNext, auditOwnOnly
    // Errors
    case notFound, forbidden, badRequest, csrfFailed, originRefused, serverError, requestTooLarge
}
